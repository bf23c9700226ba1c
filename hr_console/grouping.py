"""Groups near-identical questions of the review queue, so that HR answers a question once.

Two questions are near-identical when their sets of normalised lemmas (the knowledge base's normaliser)
overlap by at least SIMILARITY (Jaccard); each question joins the first group it is close enough to.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from backoffice_career.knowledge.db import ReviewItem
from backoffice_career.knowledge.text import Normalizer

SIMILARITY = 0.75


@dataclass
class Group:
    items: list[ReviewItem] = field(default_factory=list)
    lemmas: frozenset[str] = frozenset()

    @property
    def first(self) -> ReviewItem:
        return self.items[0]


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= SIMILARITY


def group_items(items: Sequence[ReviewItem], normalizer: Normalizer) -> list[Group]:
    """Groups in the order of `items` (newest first in the console), items of a group in that order too."""
    groups: list[Group] = []
    lemmas = normalizer.lemmas_many(item.question for item in items)
    for item, terms in zip(items, lemmas, strict=True):
        key = frozenset(terms)
        for group in groups:
            if group.first.status == item.status and _similar(group.lemmas, key):
                group.items.append(item)
                break
        else:
            groups.append(Group([item], key))
    return groups
