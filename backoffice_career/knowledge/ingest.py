"""Build the knowledge base: read the documents of a folder (readers/), cut them into passages
(passages.py), tag them with topics and store them, with the advice rules, in one transaction.

A bad document is reported and left out; the others are built. When no document can be built the
database is not touched, so the bot keeps its previous knowledge base.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import (
    ORIGIN_FILE,
    Document,
    Passage,
    PassageTopic,
    Topic,
    bump_revision,
    create_schema,
)
from backoffice_career.knowledge.passages import DEFAULT_ITEM_SEPARATOR, DraftPassage, cut_passages
from backoffice_career.knowledge.readers import (
    SUFFIXES,
    DocumentError,
    FolderReading,
    StructuredDocument,
    read_file,
    read_folder,
)
from backoffice_career.knowledge.text import KbConfig, Normalizer, TopicSpec, topic_weights
from backoffice_career.profile.advice import read_rules, store_rules

__all__ = ["BuildReport", "DraftPassage", "IngestError", "SUFFIXES", "build", "cut_passages", "read_documents"]

MEGABYTE = 1024 * 1024


class IngestError(Exception):
    """A document set that cannot make a usable knowledge base."""


def max_bytes(config: KbConfig) -> int:
    return int(float(config.documents.get("max_megabytes", 20)) * MEGABYTE)


def error_messages(config: KbConfig, errors: list[DocumentError]) -> list[str]:
    """The French message of each bad document (data/kb/kb.yml, documents.errors)."""
    return [error.message(config.documents["errors"]) for error in errors]


def read_document(path: Path) -> StructuredDocument:
    """One document (raises DocumentError)."""
    return read_file(path)


def read_documents(directory: Path) -> list[StructuredDocument]:
    """The readable documents of `directory`, bad ones left out (see read_folder for their errors)."""
    return _read(directory).documents


def _read(directory: Path, limit: int | None = None) -> FolderReading:
    if not directory.is_dir():
        raise IngestError(f"knowledge folder not found: {directory}")
    return read_folder(directory, limit) if limit else read_folder(directory)


@dataclass
class BuildReport:
    documents: int
    passages: int
    topics: int
    uncovered_topics: list[str]
    advice_steps: int
    errors: list[str] = field(default_factory=list)  # one French message per document left out


def _cut(reading: FolderReading, normalizer: Normalizer, topics: list[TopicSpec]) -> list[DraftPassage]:
    config = normalizer.config
    drafts = cut_passages(
        reading.documents,
        normalizer,
        item_separator=config.documents.get("item_separator", DEFAULT_ITEM_SEPARATOR),
        section_separator=config.section_path_separator,
    )
    for draft in drafts:
        draft.topics = topic_weights(draft.lemmas, topics)
    return drafts


def build(
    engine: Engine,
    directory: Path,
    normalizer: Normalizer,
    topics: list[TopicSpec],
    advice_dir: Path | None = None,
) -> BuildReport:
    """Replace every file document (and the advice rules) with the current contents of the folders."""
    config = normalizer.config
    reading = _read(directory, max_bytes(config))
    errors = error_messages(config, reading.errors)
    rules = read_rules(advice_dir) if advice_dir else []
    drafts = _cut(reading, normalizer, topics)
    if not drafts:
        nothing = config.documents.get("nothing_built", "{folder}").format(folder=directory)
        raise IngestError("\n".join([nothing, *errors]))
    create_schema(engine)
    with Session(engine) as session, session.begin():
        _store(session, reading.documents, drafts, _sync_topics(session, topics))
        store_rules(session, rules)
        bump_revision(session)
    covered = {name for d in drafts for name in d.topics}
    return BuildReport(
        documents=len(reading.documents),
        passages=len(drafts),
        topics=len(topics),
        uncovered_topics=sorted(t.name for t in topics if t.name not in covered),
        advice_steps=len(rules),
        errors=errors,
    )


def _store(
    session: Session, documents: list[StructuredDocument], drafts: list[DraftPassage], topic_ids: dict[str, int]
) -> None:
    session.execute(delete(Document).where(Document.origin == ORIGIN_FILE))
    rows = {}
    for doc in documents:
        row = Document(name=doc.name, title=doc.title, origin=ORIGIN_FILE)
        session.add(row)
        rows[doc.name] = row
    session.flush()
    for draft in drafts:
        passage = Passage(
            document_id=rows[draft.document].id,
            position=draft.position,
            paragraph=draft.paragraph,
            sentence_start=draft.sentence_start,
            sentence_end=draft.sentence_end,
            text=draft.text,
            lemmas=" ".join(draft.lemmas),
            section=draft.section or None,
        )
        passage.topics = [PassageTopic(topic_id=topic_ids[n], weight=w) for n, w in draft.topics.items()]
        session.add(passage)
    session.flush()


def _sync_topics(session: Session, topics: list[TopicSpec]) -> dict[str, int]:
    existing = {t.name: t for t in session.scalars(select(Topic))}
    for spec in topics:
        row = existing.get(spec.name)
        if row is None:
            row = Topic(name=spec.name)
            session.add(row)
            existing[spec.name] = row
        row.intent, row.label = spec.intent, spec.label
    wanted = {s.name for s in topics}
    for name, row in existing.items():
        if name not in wanted:
            session.delete(row)
    session.flush()
    return {name: row.id for name, row in existing.items() if name in wanted}
