"""Masks e-mail addresses and phone numbers (French and international formats) in text."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

from backoffice_career.settings import ROOT

MASKS_FILE = ROOT / "data" / "privacy.yml"

# Bounded parts and a start only at a word boundary keep matching linear on long inputs.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)
# 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033 (0)6 12 34 56 78, 01 23 45 67 89
PHONE_FR = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?33[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\w)")
# Other international numbers: +44 20 7946 0958, +1-202-555-0143
PHONE_INTL = re.compile(r"(?<![\w+])(?:\+|00)\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,6}(?!\w)")
# Every pattern needs an "@" or a digit: most strings are skipped after one scan.
CANDIDATE = re.compile(r"[@\d]")


@lru_cache(maxsize=1)
def masks() -> Dict[str, str]:
    with open(MASKS_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["masks"]


def mask_text(text: str) -> str:
    """`text` with every e-mail address and phone number replaced by its mask."""
    if not text or not CANDIDATE.search(text):
        return text
    labels = masks()
    text = EMAIL.sub(labels["email"], text)
    text = PHONE_FR.sub(labels["phone"], text)
    return PHONE_INTL.sub(labels["phone"], text)


def mask_data(value: Any) -> Any:
    """Masks every string inside nested dicts and lists (e.g. a serialised event)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: mask_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_data(item) for item in value]
    return value
