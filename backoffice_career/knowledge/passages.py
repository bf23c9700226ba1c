"""Cutting documents into passages with spaCy: sentences of each paragraph, kept whole.

A sentence that continues the previous one (a continuation marker of the KB config) joins its passage;
a passage never ends inside a sentence (a spaCy sentence without final punctuation joins the next one);
a list stays in one passage with its lead-in, the last sentence before it. The lemmas of the section
headings are indexed with each passage under them (the headings themselves are never passages).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from backoffice_career.knowledge.readers import StructuredDocument, Unit
from backoffice_career.knowledge.text import Normalizer, fold

if TYPE_CHECKING:
    from spacy.tokens import Span

SENTENCE_END = (".", "!", "?", "…", ":", "»")
DEFAULT_ITEM_SEPARATOR = " ; "


@dataclass
class DraftPassage:
    document: str
    position: int
    paragraph: int
    sentence_start: int
    sentence_end: int
    text: str
    lemmas: list[str]
    topics: dict[str, float] = field(default_factory=dict)
    section: str = ""


def starts_with_marker(sentence: str, markers: Sequence[str]) -> bool:
    folded = fold(sentence)
    return any(
        folded.startswith(m) and (len(folded) == len(m) or not folded[len(m)].isalnum() or m.endswith(" "))
        for m in markers
    )


def join_items(items: Sequence[str], separator: str = DEFAULT_ITEM_SEPARATOR) -> str:
    """List items as one text: an item without final punctuation is followed by the separator,
    the last one by a full stop."""
    pieces: list[str] = []
    for item in items:
        if pieces and not pieces[-1].endswith(SENTENCE_END):
            pieces[-1] += separator.rstrip()
        pieces.append(item.strip().rstrip(";,").rstrip())
    if pieces and not pieces[-1].endswith(SENTENCE_END):
        pieces[-1] += "."
    return " ".join(pieces)


def sentence_groups(sentences: Sequence[tuple[int, str]], markers: Sequence[str]) -> list[list[tuple[int, str]]]:
    """Numbered sentences grouped into passages: continuations and unfinished sentences join."""
    groups: list[list[tuple[int, str]]] = []
    for number, text in sentences:
        previous = groups[-1] if groups else None
        unfinished = previous is not None and not previous[-1][1].rstrip().endswith(SENTENCE_END)
        if previous is not None and (unfinished or starts_with_marker(text, markers)):
            previous.append((number, text))
        else:
            groups.append([(number, text)])
    return groups


@dataclass
class _UnitCut:
    """The sentences of a unit, grouped, with the lemmas of each sentence."""

    groups: list[list[tuple[int, str]]]
    lemmas: dict[int, list[str]]
    spans: dict[int, tuple[int, int]]  # characters of each sentence in the unit's text

    def text(self, unit_text: str, group: list[tuple[int, str]]) -> str:
        """The group's sentences as the document wrote them (spaCy may split before a comma)."""
        return unit_text[self.spans[group[0][0]][0]:self.spans[group[-1][0]][1]].strip()


def _cut_units(
    documents: Sequence[StructuredDocument], normalizer: Normalizer, batch_size: int
) -> dict[tuple[int, int], _UnitCut]:
    markers = normalizer.config.continuation_markers
    items: Iterator[tuple[str, tuple[int, int]]] = (
        (unit.text, (d, u)) for d, doc in enumerate(documents) for u, unit in enumerate(doc.units) if unit.text
    )
    cuts: dict[tuple[int, int], _UnitCut] = {}
    for spacy_doc, key in normalizer.nlp.pipe(items, as_tuples=True, batch_size=batch_size):
        sents: list[tuple[int, Span]] = [
            (n, s) for n, s in enumerate(spacy_doc.sents, start=1) if s.text.strip()
        ]
        groups = sentence_groups([(n, s.text.strip()) for n, s in sents], markers)
        cuts[key] = _UnitCut(groups, {n: normalizer.lemmas_of_doc(s) for n, s in sents},
                             {n: (s.start_char, s.end_char) for n, s in sents})
    return cuts


def _extra_lemmas(
    documents: Sequence[StructuredDocument], normalizer: Normalizer, separator: str
) -> dict[str, list[str]]:
    """Lemmas of the list texts and of the section headings, by text."""
    texts = {join_items(u.items, separator) for doc in documents for u in doc.units if u.items}
    texts |= {" ".join(u.section) for doc in documents for u in doc.units if u.section}
    ordered = sorted(texts)
    return dict(zip(ordered, normalizer.lemmas_many(ordered), strict=True))


def _unit_passages(unit: Unit, cut: _UnitCut | None, extra: dict[str, list[str]], separator: str) -> list[DraftPassage]:
    """The passages of one unit (document name, position and section are set by the caller)."""
    out = []
    if cut is not None:
        for group in cut.groups:
            lemmas = [lemma for n, _ in group for lemma in cut.lemmas[n]]
            text = cut.text(unit.text, group)
            out.append(DraftPassage("", 0, unit.paragraph, group[0][0], group[-1][0], text, lemmas))
    if unit.items:
        listed = join_items(unit.items, separator)
        if out:  # the list joins its lead-in
            out[-1].text = f"{out[-1].text} {listed}"
            out[-1].lemmas = out[-1].lemmas + extra[listed]
        else:
            out.append(DraftPassage("", 0, unit.paragraph, 1, 1, listed, list(extra[listed])))
    return out


def cut_passages(
    documents: Sequence[StructuredDocument],
    normalizer: Normalizer,
    batch_size: int = 32,
    item_separator: str = DEFAULT_ITEM_SEPARATOR,
    section_separator: str = " > ",
) -> list[DraftPassage]:
    """The passages of every document, in reading order, numbered from 1 within each document."""
    cuts = _cut_units(documents, normalizer, batch_size)
    extra = _extra_lemmas(documents, normalizer, item_separator)
    drafts: list[DraftPassage] = []
    for d, doc in enumerate(documents):
        position = 0
        for u, unit in enumerate(doc.units):
            section_lemmas = extra.get(" ".join(unit.section), []) if unit.section else []
            for draft in _unit_passages(unit, cuts.get((d, u)), extra, item_separator):
                position += 1
                draft.document, draft.position = doc.name, position
                draft.section = section_separator.join(unit.section)
                draft.lemmas = draft.lemmas + section_lemmas
                drafts.append(draft)
    return drafts
