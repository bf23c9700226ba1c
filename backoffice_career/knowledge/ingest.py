"""Build the knowledge base: read documents, cut them into passages with spaCy, tag and store."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.profile.advice import read_rules, store_rules
from backoffice_career.knowledge.db import (
    ORIGIN_FILE,
    Document,
    Passage,
    PassageTopic,
    Topic,
    bump_revision,
    create_schema,
)
from backoffice_career.knowledge.text import Normalizer, TopicSpec, fold, topic_weights

DOCUMENT_SUFFIXES = (".txt", ".md")
HEADING_MAX_CHARS = 150


class IngestError(Exception):
    """A document set that cannot make a usable knowledge base."""


@dataclass
class SourceDocument:
    name: str
    title: str
    paragraphs: List[str]


@dataclass
class DraftPassage:
    document: str
    position: int
    paragraph: int
    sentence_start: int
    sentence_end: int
    text: str
    lemmas: List[str]
    topics: Dict[str, float] = field(default_factory=dict)


def _is_heading(paragraph: str) -> bool:
    line = paragraph.strip().lstrip("#").strip()
    return "\n" not in line and len(line) <= HEADING_MAX_CHARS and not line.endswith((".", "!", ";", ":"))


def read_document(path: Path) -> SourceDocument:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    blocks = [re.sub(r"\s+", " ", b).strip() for b in re.split(r"\n\s*\n", text)]
    blocks = [b for b in blocks if b]
    title = path.stem
    if len(blocks) > 1 and _is_heading(blocks[0]):
        title = blocks.pop(0).lstrip("#").strip()
    return SourceDocument(name=path.name, title=title, paragraphs=blocks)


def read_documents(directory: Path) -> List[SourceDocument]:
    if not directory.is_dir():
        raise IngestError(f"knowledge folder not found: {directory}")
    paths = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
    return [read_document(p) for p in paths]


def _starts_with_marker(sentence: str, markers: Sequence[str]) -> bool:
    folded = fold(sentence)
    return any(folded.startswith(m) and (len(folded) == len(m) or not folded[len(m)].isalnum() or m.endswith(" ")) for m in markers)


def cut_passages(documents: List[SourceDocument], normalizer: Normalizer, batch_size: int = 32) -> List[DraftPassage]:
    """Sentences of each paragraph; a sentence that continues the previous one joins its passage."""
    markers = normalizer.config.continuation_markers
    items: Iterator[Tuple[str, Tuple[int, int]]] = (
        (para, (d_index, p_index))
        for d_index, doc in enumerate(documents)
        for p_index, para in enumerate(doc.paragraphs, start=1)
    )
    positions: Dict[int, int] = {}
    drafts: List[DraftPassage] = []
    for spacy_doc, (d_index, p_index) in normalizer.nlp.pipe(items, as_tuples=True, batch_size=batch_size):
        groups: List[List] = []
        for s_index, sent in enumerate(spacy_doc.sents, start=1):
            if not sent.text.strip():
                continue
            if groups and _starts_with_marker(sent.text, markers):
                groups[-1].append((s_index, sent))
            else:
                groups.append([(s_index, sent)])
        for group in groups:
            positions[d_index] = positions.get(d_index, 0) + 1
            lemmas = [lemma for _, sent in group for lemma in normalizer.lemmas_of_doc(sent)]
            drafts.append(
                DraftPassage(
                    document=documents[d_index].name,
                    position=positions[d_index],
                    paragraph=p_index,
                    sentence_start=group[0][0],
                    sentence_end=group[-1][0],
                    text=" ".join(sent.text.strip() for _, sent in group),
                    lemmas=lemmas,
                )
            )
    return drafts


@dataclass
class BuildReport:
    documents: int
    passages: int
    topics: int
    uncovered_topics: List[str]
    advice_steps: int


def build(
    engine: Engine,
    directory: Path,
    normalizer: Normalizer,
    topics: List[TopicSpec],
    advice_dir: Optional[Path] = None,
) -> BuildReport:
    """Replace every file document (and the advice rules) with the current contents of the folders."""
    documents = read_documents(directory)
    rules = read_rules(advice_dir) if advice_dir else []
    drafts = cut_passages(documents, normalizer)
    if not drafts:
        raise IngestError(f"no passage found in {directory} (expected .txt or .md files)")
    for draft in drafts:
        draft.topics = topic_weights(draft.lemmas, topics)
    covered = {name for d in drafts for name in d.topics}

    create_schema(engine)
    with Session(engine) as session, session.begin():
        topic_ids = _sync_topics(session, topics)
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
            )
            passage.topics = [PassageTopic(topic_id=topic_ids[n], weight=w) for n, w in draft.topics.items()]
            session.add(passage)
        session.flush()
        store_rules(session, rules)
        bump_revision(session)
    return BuildReport(
        documents=len(documents),
        passages=len(drafts),
        topics=len(topics),
        uncovered_topics=sorted(t.name for t in topics if t.name not in covered),
        advice_steps=len(rules),
    )


def _sync_topics(session: Session, topics: List[TopicSpec]) -> Dict[str, int]:
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
