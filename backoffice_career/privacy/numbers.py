"""Personal numbers: IBAN (mod 97), card numbers (Luhn), NIR (social security key) and phone numbers.

A pattern finds candidates; a checksum (python-stdnum) or phonenumbers decides. A candidate that
runs into the next number or word is shortened group by group until it checks.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers
from stdnum import iban, luhn
from stdnum.fr import nir

Span = tuple[int, int]
_SEP = r"[ .\-]?"

IBAN_CANDIDATE = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]){10,30}", re.IGNORECASE)
# sex, year, month, department (2A/2B for Corsica), commune, order, key
NIR_CANDIDATE = re.compile(
    rf"(?<![\w])[1-478]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[AB]){_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{2}}(?!\w)",
    re.IGNORECASE,
)
# Payment cards: 15 to 19 digits, first digit 2 to 6 (14-digit SIRET numbers are not cards).
CARD_CANDIDATE = re.compile(r"(?<![\w])[2-6]\d{3}(?:[ \-]?\d){11,16}")
# French numbers that phonenumbers does not know as allocated: 06 12 34 56 78, +33 (0)7 11 22 33 44
PHONE_FR = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?33[\s.\-]?(?:\(0\)[\s.\-]?)?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\w)")
# Other international numbers: +44 20 7946 0958, +1-202-555-0143
PHONE_INTL = re.compile(r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[\s.\-]?\(?\d{1,4}\)?){2,6}(?!\w)")
MIN_PHONE_DIGITS = 8


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _compact(text: str) -> str:
    return re.sub(r"[ .\-]", "", text)


def _checked_prefix(candidate: str, valid: Callable[[str], bool]) -> int:
    """Length of the longest prefix of `candidate`, ending at a group end, whose compact form is valid."""
    ends = [m.start() for m in re.finditer(r"[ \-](?=\w)", candidate)] + [len(candidate)]
    for end in sorted(set(ends), reverse=True):
        if valid(_compact(candidate[:end])):
            return end
    return 0


def _find_checked(pattern: re.Pattern[str], text: str, valid: Callable[[str], bool]) -> list[Span]:
    spans = []
    for match in pattern.finditer(text):
        length = _checked_prefix(match.group(0), valid)
        if length:
            spans.append((match.start(), match.start() + length))
    return spans


def _card(number: str) -> bool:
    return 15 <= len(number) <= 19 and luhn.is_valid(number)


def _phone_spans(text: str) -> list[Span]:
    if _digits(text) < MIN_PHONE_DIGITS:
        return []
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, "FR")]
    for pattern in (PHONE_FR, PHONE_INTL):
        spans += [m.span() for m in pattern.finditer(text) if _digits(m.group(0)) >= MIN_PHONE_DIGITS]
    return spans


def _replace(text: str, spans: list[Span], label: str) -> str:
    """`text` with each span (overlapping ones merged) replaced by `label`."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    parts, last = [], 0
    for start, end in merged:
        parts += [text[last:start], label]
        last = end
    return "".join(parts) + text[last:]


def mask_numbers(text: str, labels: dict[str, str]) -> str:
    """IBAN, NIR, card and phone numbers of `text` replaced by their labels (in that order)."""
    if not any(ch.isdigit() for ch in text):
        return text
    text = _replace(text, _find_checked(IBAN_CANDIDATE, text, iban.is_valid), labels["iban"])
    text = _replace(text, _find_checked(NIR_CANDIDATE, text, nir.is_valid), labels["nir"])
    text = _replace(text, _find_checked(CARD_CANDIDATE, text, _card), labels["card"])
    return _replace(text, _phone_spans(text), labels["phone"])
