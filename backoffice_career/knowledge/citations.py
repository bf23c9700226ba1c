"""Source references of passages, in the citation formats of the KB config."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from backoffice_career.knowledge.db import ORIGIN_HR
from backoffice_career.knowledge.index import Hit
from backoffice_career.knowledge.text import KbConfig


def paragraphs(config: KbConfig, hits: Iterable[Hit]) -> str:
    """The paragraph numbers of the hits, sorted and without repeats."""
    return config.paragraph_separator.join(str(p) for p in sorted({h.paragraph for h in hits}))


def sections(config: KbConfig, hits: Iterable[Hit]) -> list[str]:
    """The sections of the hits, in reading order and without repeats ("" when none)."""
    ordered = sorted((h for h in hits if h.section), key=lambda h: h.position)
    return list(dict.fromkeys(h.section for h in ordered))


def cite_document(config: KbConfig, doc_hits: Sequence[Hit]) -> str:
    """One document's reference: by section when its passages have one, else by paragraph."""
    first = doc_hits[0]
    names = sections(config, doc_hits)
    if len(names) == 1:
        return config.section_format.format(title=first.title, section=names[0])
    if names:
        return config.sections_format.format(title=first.title, sections=config.section_separator.join(names))
    return config.citation_format.format(title=first.title, paragraphs=paragraphs(config, doc_hits))


def cite(config: KbConfig, hits: Sequence[Hit]) -> str:
    """Source reference of the hits: one per document (an HR answer is cited by its number)."""
    by_document: dict[str, list[Hit]] = {}
    for hit in hits:
        by_document.setdefault(hit.document, []).append(hit)
    parts = []
    for doc_hits in by_document.values():
        first = doc_hits[0]
        if first.origin == ORIGIN_HR:
            parts.append(config.hr_citation_format.format(number=first.document_id))
        else:
            parts.append(cite_document(config, doc_hits))
    return config.document_separator.join(parts)
