"""HR accounts: argon2 password hashes, and failed logins slowed down per account name and address."""
from __future__ import annotations

import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hr_console.models import NAME_CHARS, HrAccount, LoginAttempt

HASHER = PasswordHasher()
# Verified when the account does not exist, so that an unknown name takes as long as a wrong password.
_DUMMY_HASH = HASHER.hash("not-a-password")
MIN_PASSWORD_CHARS = 12


class AccountError(Exception):
    """An account that cannot be created; `code` names the message of data/hr_console.yml (users)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def valid_name(name: str) -> bool:
    return 0 < len(name) <= NAME_CHARS and name.isprintable() and name.strip() == name


def create_account(engine: Engine, name: str, password: str) -> None:
    if not valid_name(name):
        raise AccountError("bad_name")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("short_password")
    try:
        with Session(engine) as session, session.begin():
            session.add(HrAccount(name=name, password_hash=HASHER.hash(password)))
    except IntegrityError:
        raise AccountError("exists") from None


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    wait_seconds: float = 0.0  # > 0: locked, try again later


@dataclass(frozen=True)
class Throttle:
    max_failures: int
    delay_seconds: float

    def lock_seconds(self, failures: int) -> float:
        """No lock before `max_failures`; then the delay, doubled at each further failure (capped at a day)."""
        if failures < self.max_failures:
            return 0.0
        return float(min(self.delay_seconds * 2 ** (failures - self.max_failures), 86400.0))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_login(engine: Engine, name: str, password: str, address: str, throttle: Throttle) -> LoginResult:
    """The password check, refused while the name and address are locked; a success clears the failures."""
    key = f"{name[:NAME_CHARS]}\x1f{address}"
    now = time.time()
    with Session(engine) as session, session.begin():
        attempt = session.get(LoginAttempt, key)
        if attempt is not None and attempt.locked_until and attempt.locked_until > now:
            return LoginResult(False, attempt.locked_until - now)
        account = session.scalar(select(HrAccount).where(HrAccount.name == name))
        ok = _verify(account.password_hash if account else _DUMMY_HASH, password) and account is not None
        if ok:
            if attempt is not None:
                session.delete(attempt)
            return LoginResult(True)
        if attempt is None:
            attempt = LoginAttempt(key=key, failures=0)
            session.add(attempt)
        attempt.failures += 1
        lock = throttle.lock_seconds(attempt.failures)
        attempt.locked_until = now + lock if lock else None
        return LoginResult(False, lock)
