"""Masks personal data in text: e-mail addresses (also written out), IBAN, NIR, card and phone numbers.

The text is first normalised (NFKC, no control or format characters, cleaning.py), so that a
zero-width space or full-width digits cannot hide a number. Detectors: emails.py, numbers.py.
The masks (placeholders) are in data/privacy.yml.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from backoffice_career.privacy.cleaning import clean_text, normalize
from backoffice_career.privacy.emails import mask_emails
from backoffice_career.privacy.numbers import mask_numbers
from backoffice_career.resources import PRIVACY, load_yaml

__all__ = ["clean_text", "mask_clean_text", "mask_data", "mask_text", "masks"]


@lru_cache(maxsize=1)
def _masks() -> dict[str, str]:
    table: dict[str, str] = load_yaml(PRIVACY)["masks"]
    return table


def masks() -> dict[str, str]:
    return dict(_masks())


def mask_text(text: str) -> str:
    """`text` normalised, with every e-mail address and personal number replaced by its mask."""
    if not text:
        return text
    labels = _masks()
    return mask_numbers(mask_emails(normalize(text), labels["email"]), labels)


def mask_clean_text(text: str) -> str:
    """One clean, masked line: what the chat path and the HR queue keep of a user's message."""
    return mask_text(clean_text(text))


def mask_data(value: Any) -> Any:
    """Masks every string inside nested dicts and lists (e.g. a serialised event)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: mask_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_data(item) for item in value]
    return value
