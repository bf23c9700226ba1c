"""E-mail addresses, plain or written out ("jean point dupont arobase gmail point com", "jean[at]gmail[dot]com")."""
from __future__ import annotations

import re

# Bounded parts and a start only at a word boundary keep matching linear on long inputs.
PLAIN = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)

_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_DOT = rf"(?:\s*\.\s*|\s*{_OPEN}\s*(?:dot|point|\.)\s*{_CLOSE}\s*|\s+(?:dot|point)\s+)"
_AT = rf"(?:\s*@\s*|\s*{_OPEN}\s*(?:at|@|arobase|arrobase)\s*{_CLOSE}\s*|\s+(?:at|arobase|arrobase)\s+)"
_WORD = r"[\w+-]{1,64}"
_LABEL = r"[\w-]{1,63}"
# The domain ends with a dot (written or not) and a top-level domain made of letters.
WRITTEN = re.compile(
    rf"(?<![\w.+-]){_WORD}(?:{_DOT}{_WORD}){{0,5}}{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,4}}{_DOT}[^\W\d_]{{2,12}}(?!\w)",
    re.IGNORECASE | re.UNICODE,
)
# Only texts with an "@" or an "at" word are searched for written-out addresses.
HINT = re.compile(r"@|\b(?:at|arr?obase)\b", re.IGNORECASE)


def mask_emails(text: str, label: str) -> str:
    if "@" in text:
        text = PLAIN.sub(label, text)
    if HINT.search(text):
        text = WRITTEN.sub(label, text)
    return text
