"""What the guide never answers, whatever its wording: how to become another trade ("comment devenir pilote ?",
data/kb/other_jobs.yml), a cost or funding, a bonus, a pay figure, a duration or a named product (data/kb/scope.yml)."""
from __future__ import annotations

import re
from pathlib import Path

from backoffice_career.knowledge.text import Normalizer, fold
from backoffice_career.knowledge.vocabulary import TradeRule, Vocabulary
from backoffice_career.resources import load_yaml

OTHER_JOBS = Path(__file__).resolve().parents[2] / "data" / "kb" / "other_jobs.yml"
SCOPE = Path(__file__).resolve().parents[2] / "data" / "kb" / "scope.yml"
SCOPE_WORDS = ("cost_words", "pay_words", "product_words")  # lemma lists of scope.yml
# Phrase lists of scope.yml, matched in the folded text.
SCOPE_PHRASES = ("duration_phrases", "pay_figure_phrases", "funding_phrases")


class OffGuide:
    """`off_guide(text, vocabulary)`: whether `text` asks what the guide never answers. Rules loaded on first use."""

    def __init__(self, normalizer: Normalizer) -> None:
        self.normalizer = normalizer
        self._trades: TradeRule | None = None
        self._scope_words: frozenset[str] = frozenset()
        self._scope_phrases: re.Pattern[str] | None = None

    def __call__(self, text: str, vocabulary: Vocabulary) -> bool:
        if self._trades is None:  # loaded once; the scope words first, the rule last (another thread checks it)
            raw = load_yaml(SCOPE) if SCOPE.exists() else {}
            words = [word for key in SCOPE_WORDS for word in raw.get(key) or []]
            self._scope_words = frozenset(fold(str(w)) for w in words)
            phrases = sorted({fold(str(p)) for key in SCOPE_PHRASES for p in raw.get(key) or []})
            self._scope_phrases = re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b") if phrases else None
            self._trades = TradeRule.load(OTHER_JOBS)
        if self._scope_phrases is not None and self._scope_phrases.search(fold(text or "")):
            return True
        doc = self.normalizer.query_doc(text or "")
        if self._scope_words & set(self.normalizer.lemmas_of_doc(doc)):
            return True
        return self._trades.other_trade(doc, self.normalizer, vocabulary)
