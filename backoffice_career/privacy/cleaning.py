"""Text cleaning done before any masking or storing: NFKC normalisation, no control or format characters.

NFKC turns full-width digits, "＠" and non-breaking spaces into their plain forms, so that the
detectors see "06 12 34 56 78" however it was typed. Control characters (terminal escape codes)
and format characters (zero-width spaces, bidi overrides) are dropped.
"""
from __future__ import annotations

import re
import unicodedata

# Characters that separate words or lines: kept as a space (a line break when lines are kept).
_BREAKS = frozenset("\t\n\r\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029")
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_ASCII_BREAKS = re.compile(r"\r\n?|[\t\v\f\x1c-\x1f]")


def _clean_ascii(text: str, keep_newlines: bool) -> str:
    text = _ASCII_CONTROLS.sub("", text)
    text = _ASCII_BREAKS.sub(lambda m: "\n" if keep_newlines and m.group(0)[0] == "\r" else " ", text)
    return text if keep_newlines else text.replace("\n", " ")


def normalize(text: str | None, keep_newlines: bool = True) -> str:
    """`text` in NFKC form without control or format characters (line breaks kept or made spaces)."""
    if not text:
        return ""
    if text.isascii():  # ASCII is already in NFKC form
        return _clean_ascii(text, keep_newlines)
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n"))
    chars = []
    for ch in text:
        if ch in _BREAKS:
            chars.append("\n" if keep_newlines and ch in "\n\r\u2028\u2029\x85" else " ")
        elif unicodedata.category(ch)[0] != "C":  # Cc, Cf, Cs, Co, Cn
            chars.append(ch)
    return "".join(chars)


def clean_text(text: str | None) -> str:
    """One line of clean text, as the chat path and the HR queue keep it."""
    return normalize(text, keep_newlines=False).strip()
