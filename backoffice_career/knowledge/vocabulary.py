"""Vocabulary of the trade (data/kb/vocabulary.yml): families of words that mean the same thing here.

Query expansion: a question holding a member of a family (as a lemma sequence) gets the lemmas of the
family's canonical form, the words the guide uses, for BM25 and for the meaning vector.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from backoffice_career.knowledge.text import Normalizer, contains_sequence, fold
from backoffice_career.resources import load_yaml

if TYPE_CHECKING:
    from spacy.tokens import Doc

BECOME = "devenir"


# A concept of a question: its forms (lemma sequences); a passage holds it when it holds every lemma of a form.
Concept = frozenset[tuple[str, ...]]


@dataclass(frozen=True)
class Family:
    name: str
    canonical: str
    canonical_lemmas: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]  # lemma sequences of the variants
    also: tuple[str, ...] = ()  # other forms the guide uses for the same thing ("supervision")
    also_lemmas: tuple[str, ...] = ()
    also_forms: tuple[tuple[str, ...], ...] = ()  # the lemma sequence of each `also` form

    def concept(self, said: Sequence[tuple[str, ...]]) -> Concept:
        """The family as one concept: the forms the question said, its canonical form and its `also` forms."""
        return frozenset([*said, self.canonical_lemmas, *self.also_forms])


@dataclass(frozen=True)
class Expansion:
    lemmas: list[str]  # canonical lemmas to add to the query's
    texts: list[str]  # canonical forms, for the meaning vector
    # One concept per family found: the question's words of it and the forms it adds; any one of them in a
    # passage covers the concept (coverage counts concepts, so that an expansion never dilutes it).
    groups: list[Concept] = field(default_factory=list)

    def concepts(self, lemmas: Sequence[str]) -> list[Concept]:
        """The question's concepts: each family found, and each of its other lemmas alone."""
        grouped = {lemma for group in self.groups for form in group for lemma in form}
        alone = [frozenset({(lemma,)}) for lemma in dict.fromkeys(lemmas) if lemma not in grouped]
        return alone + list(self.groups)


class Vocabulary:
    def __init__(self, families: Sequence[Family]) -> None:
        self.families = list(families)

    @classmethod
    def load(cls, path: Path, normalizer: Normalizer) -> Vocabulary:
        if not path.exists():
            return cls([])
        raw = load_yaml(path).get("families") or {}
        families = []
        for name, body in raw.items():
            canonical = str(body.get("canonical") or "").strip()
            variants = [str(v) for v in body.get("variants") or [] if str(v).strip()]
            if not canonical or not variants:
                continue
            also = [str(v) for v in body.get("also") or [] if str(v).strip()]
            lemma_lists = normalizer.lemmas_many([canonical, *variants, *also])
            members = tuple(tuple(m) for m in lemma_lists[1 : 1 + len(variants)] if m)
            also_forms = tuple(tuple(m) for m in lemma_lists[1 + len(variants) :] if m)
            also_lemmas = tuple(lemma for m in also_forms for lemma in m)
            families.append(
                Family(name, canonical, tuple(lemma_lists[0]), members, tuple(also), also_lemmas, also_forms)
            )
        return cls(families)

    def begins_member(self, lemmas: Sequence[str], families: Sequence[str]) -> bool:
        """Whether `lemmas` begin with the canonical form or a variant of one of the named families."""
        for family in self.families:
            if family.name in families:
                for member in (family.canonical_lemmas, *family.members):
                    if member and tuple(lemmas[: len(member)]) == member:
                        return True
        return False

    def expand(self, lemmas: Sequence[str]) -> Expansion:
        """What a question's lemmas add: each family one of whose variants it holds, its canonical (unless there)
        and its `also` forms; a question holding the canonical gets the `also` forms only."""
        matched: list[tuple[Family, list[tuple[str, ...]]]] = []
        present: list[tuple[str, ...]] = []  # canonical forms the question holds
        extra_lemmas: list[str] = []
        extra_texts: list[str] = []
        groups: list[Concept] = []
        words = set(lemmas)  # a form with a word the question lacks needs no sequence search
        for family in self.families:
            if not family.canonical_lemmas:
                continue
            members = [m for m in family.members if words.issuperset(m) and contains_sequence(lemmas, m)]
            if words.issuperset(family.canonical_lemmas) and contains_sequence(lemmas, family.canonical_lemmas):
                present.append(family.canonical_lemmas)
                extra_lemmas.extend(lemma for lemma in family.also_lemmas if lemma not in lemmas)
                extra_texts.extend(family.also)
                groups.append(family.concept(members))  # "poser mes congés": one concept, "poser" with it
                continue
            if members:
                matched.append((family, members))
        longer = [m for _, members in matched for m in members] + present
        for family, members in matched:
            # "manager" inside "office manager": the longer member speaks, not the word inside it.
            if all(any(len(o) > len(m) and contains_sequence(o, m) for o in longer) for m in members):
                continue
            extra_lemmas.extend(family.canonical_lemmas)
            extra_lemmas.extend(lemma for lemma in family.also_lemmas if lemma not in lemmas)
            extra_texts.extend([family.canonical, *family.also])
            groups.append(family.concept(members))
        return Expansion(extra_lemmas, extra_texts, groups)


@dataclass(frozen=True)
class TradeRule:
    """"devenir <nom>" names another trade than this bot's, unless the noun begins a member of `families`
    (vocabulary.yml) or is one of `words` (data/kb/other_jobs.yml)."""

    families: tuple[str, ...] = ()
    words: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path) -> TradeRule:
        if not path.exists():
            return cls()
        raw = load_yaml(path)
        return cls(
            tuple(str(f) for f in raw.get("in_scope_families") or []),
            frozenset(fold(str(w)) for w in raw.get("in_scope_words") or []),
        )

    def other_trade(self, doc: Doc, normalizer: Normalizer, vocabulary: Vocabulary) -> bool:
        """Whether the parsed question asks how to become another trade ("comment devenir pilote ?")."""
        if not self.families and not self.words:
            return False
        for token in doc:
            if fold(token.lemma_) != BECOME:
                continue
            # "devenir (une) (bonne) infirmière": the first word after the determiners and adjectives
            noun = next((t for t in doc[token.i + 1 :] if t.pos_ not in ("DET", "ADJ")), None)
            if noun is None or noun.pos_ not in ("NOUN", "PROPN"):
                continue  # "devenir plus efficace", "devenir autonome au travail"
            lemmas = normalizer.lemmas_of_doc(doc[noun.i :])
            if fold(noun.lemma_) in self.words or fold(noun.text) in self.words:
                continue
            if not vocabulary.begins_member(lemmas, self.families):
                return True
        return False
