"""The audit log: every HR action of the console, with its account, time and object."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import utcnow
from hr_console.models import AuditEntry

ACTIONS = ("login", "logout", "answer", "dismiss", "reopen", "upload", "remove", "erase", "faq")
PAGE_SIZE = 200


def record(engine: Engine, account: str, action: str, target: str = "") -> None:
    with Session(engine) as session, session.begin():
        session.add(AuditEntry(account=account, action=action, target=target[:1000]))


def entries(engine: Engine, limit: int = PAGE_SIZE) -> list[AuditEntry]:
    """The latest entries, newest first."""
    with Session(engine) as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


def sender_reference(sender_id: str) -> str:
    """An erased sender in the log: a digest, never the id itself (nothing of the sender is kept)."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:16]


def purge_audit(engine: Engine, days: int, now: datetime | None = None) -> int:
    """Deletes audit entries older than `days` days (AUDIT_RETENTION_DAYS); returns the count."""
    if not inspect(engine).has_table(AuditEntry.__tablename__):
        return 0
    before = (now or utcnow()) - timedelta(days=days)
    with Session(engine) as session, session.begin():
        count: int = session.execute(delete(AuditEntry).where(AuditEntry.at < before)).rowcount
        return count
