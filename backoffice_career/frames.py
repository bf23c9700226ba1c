"""Interview frames: words that address the bot as a professional and ask nothing themselves.

"D'après votre expérience, quels logiciels faut-il connaître ?" asks about software; "expérience" in the frame
made the classifier and the ranking think of the experience topic. The frames of data/question_frames.yml are
taken out of a user's message before the NLU reads it (rasa_server/nlu/input_guard.py) and before the knowledge
base ranks its passages (the action server reads the user's own text). The training examples keep their words:
an edit of the list needs no retraining and is seen without a restart. Case, accents, apostrophes and spacing do
not matter; the user's message is stored as typed.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from backoffice_career.knowledge.text import fold
from backoffice_career.resources import QUESTION_FRAMES, load_yaml

_LETTER_VARIANTS = {"a": "aàâä", "c": "cç", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "y": "yÿ"}


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern of the whole `phrases`, whatever their case, accents, kind of apostrophe and spacing."""
    alternatives = []
    for phrase in sorted({fold(p) for p in phrases if fold(p)}, key=len, reverse=True):
        parts = []
        for char in phrase:
            if char.isspace():
                parts.append(r"\s+")
            elif char == "'":
                parts.append(r"\s*['’]\s*")
            else:
                parts.append(f"[{re.escape(_LETTER_VARIANTS.get(char, char))}]")
        alternatives.append("".join(parts))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.I) if alternatives else None


class QuestionFrames:
    def __init__(self, phrases: Iterable[str]) -> None:
        pattern = phrase_pattern(phrases)
        # The frame, and the comma or colon after it.
        self.pattern = re.compile(rf"(?:{pattern.pattern})\s*[,:]?", re.I) if pattern else None

    def remove(self, text: str) -> str:
        """`text` without its frames; a message that is nothing but a frame stays as it is."""
        if not self.pattern or not text:
            return text
        rest = re.sub(r"\s{2,}", " ", self.pattern.sub(" ", text)).strip()
        return rest if any(ch.isalnum() for ch in rest) else text


@lru_cache(maxsize=8)
def _frames(phrases: tuple[str, ...]) -> QuestionFrames:
    return QuestionFrames(phrases)


def load_question_frames(path: str | Path = QUESTION_FRAMES) -> QuestionFrames:
    """The frames of `path` (none when the file is missing or has no list); read again when the file changes."""
    path = Path(path)
    raw = load_yaml(path) if path.exists() else {}
    frames = raw.get("frames") if isinstance(raw, dict) else None
    return _frames(tuple(p for p in frames or [] if isinstance(p, str)))


def without_frames(text: str) -> str:
    """`text` without the frames of data/question_frames.yml."""
    return load_question_frames().remove(text)
