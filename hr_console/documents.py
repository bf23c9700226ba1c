"""Knowledge documents in the console: list them, upload one into the documents folder, remove one.

An upload or a removal rebuilds the file documents (ingest.build), which bumps the revision: running
bots reload the knowledge base at their next question, with no retraining. HR answers (origin "hr")
are rows only: removing one deletes it and bumps the revision.
"""
from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from werkzeug.utils import secure_filename

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.db import ORIGIN_FILE, Document, bump_revision
from backoffice_career.knowledge.ingest import SUFFIXES, IngestError, build, max_bytes, read_document
from backoffice_career.knowledge.readers import DocumentError
from backoffice_career.knowledge.text import Normalizer, load_topics
from backoffice_career.settings import Settings

_BUILD_LOCK = threading.Lock()  # one rebuild at a time in this process


class DocumentRefused(Exception):
    """An upload or removal refused; the message is French, for HR."""


def list_documents(kb: KnowledgeBase) -> list[Document]:
    with Session(kb.engine) as session:
        query = select(Document).options(selectinload(Document.passages)).order_by(Document.origin, Document.title)
        return list(session.scalars(query))


def get_document(kb: KnowledgeBase, document_id: int) -> Document | None:
    """One document with its passages."""
    with Session(kb.engine) as session:
        query = select(Document).where(Document.id == document_id).options(selectinload(Document.passages))
        found: Document | None = session.scalar(query)
        return found


def _rebuild(kb: KnowledgeBase, settings: Settings, normalizer: Normalizer) -> list[str]:
    topics = load_topics(settings.topics_file, normalizer)
    report = build(kb.engine, settings.knowledge_dir, normalizer, topics, settings.advice_dir)
    return report.errors


def upload(
    kb: KnowledgeBase, settings: Settings, normalizer: Normalizer, filename: str, data: bytes, texts: dict
) -> str:
    """Checks and stores a document, then rebuilds; returns its stored file name."""
    name = secure_filename(filename or "")
    suffix = Path(name).suffix.lower()
    if not name or suffix not in SUFFIXES:
        raise DocumentRefused(texts["bad_format"].format(formats=", ".join(SUFFIXES)))
    if len(data) > max_bytes(normalizer.config):
        raise DocumentRefused(texts["too_large"])
    target = settings.knowledge_dir / name
    if target.exists():
        raise DocumentRefused(texts["exists"].format(name=name))
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / name
        probe.write_bytes(data)
        try:
            read_document(probe)  # content checked by the knowledge base's own reader
        except DocumentError as exc:
            raise DocumentRefused(exc.message(normalizer.config.documents["errors"])) from None
        with _BUILD_LOCK:
            shutil.copyfile(probe, target)
            try:
                errors = _rebuild(kb, settings, normalizer)
            except IngestError as exc:
                target.unlink(missing_ok=True)
                raise DocumentRefused(str(exc)) from None
            if any(name in error for error in errors):
                target.unlink(missing_ok=True)
                _rebuild(kb, settings, normalizer)
                raise DocumentRefused("\n".join(e for e in errors if name in e))
    return name


def _file_of(settings: Settings, document_name: str) -> Path | None:
    for path in sorted(settings.knowledge_dir.iterdir()):
        if path.is_file() and document_name in (path.name, path.stem):
            return path
    return None


def remove(kb: KnowledgeBase, settings: Settings, normalizer: Normalizer, document_id: int, texts: dict) -> str:
    """Removes a document; returns its title."""
    with Session(kb.engine) as session, session.begin():
        document = session.get(Document, document_id)
        if document is None:
            raise DocumentRefused(texts["unknown"])
        title, name, origin = document.title, document.name, document.origin
        if origin != ORIGIN_FILE:
            session.delete(document)
            bump_revision(session)
            return str(title)
    path = _file_of(settings, name)
    if path is None:
        raise DocumentRefused(texts["unknown"])
    with _BUILD_LOCK, tempfile.TemporaryDirectory() as folder:
        kept = Path(folder) / path.name
        shutil.move(str(path), kept)
        try:
            _rebuild(kb, settings, normalizer)
        except IngestError:
            shutil.move(str(kept), path)
            raise DocumentRefused(texts["last_document"]) from None
    return str(title)
