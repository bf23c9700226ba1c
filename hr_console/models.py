"""The console's tables (HR accounts, failed logins, audit log), in the knowledge-base database.

They have their own metadata: the knowledge base's build and the erasure of a sender never touch them.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, Float, Integer, String, Text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base

from backoffice_career.knowledge.db import utcnow

ConsoleBase: Any = declarative_base()

NAME_CHARS = 100


class HrAccount(ConsoleBase):
    __tablename__ = "hr_account"

    id = Column(Integer, primary_key=True)
    name = Column(String(NAME_CHARS), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class LoginAttempt(ConsoleBase):
    """Failed logins of one account name from one address; `locked_until` refuses logins until then."""

    __tablename__ = "hr_login_attempt"

    key = Column(String(400), primary_key=True)  # account name and client address
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(Float, nullable=True)  # epoch seconds


class AuditEntry(ConsoleBase):
    __tablename__ = "hr_audit"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    account = Column(String(NAME_CHARS), nullable=False)
    action = Column(String(20), nullable=False)
    target = Column(Text, nullable=False, default="")


def create_console_schema(engine: Engine) -> None:
    ConsoleBase.metadata.create_all(engine)
