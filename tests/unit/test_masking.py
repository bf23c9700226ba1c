"""Masking of e-mail addresses and phone numbers before anything is stored."""
from __future__ import annotations

import pytest

from backoffice_career.privacy.masking import mask_data, mask_text, masks

EMAIL, PHONE = masks()["email"], masks()["phone"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("écrivez-moi à jean.dupont+rh@exemple.fr svp", f"écrivez-moi à {EMAIL} svp"),
        ("MARIE_L@Mail.Example.COM", EMAIL),
        ("mon 06 12 34 56 78 merci", f"mon {PHONE} merci"),
        ("0612345678", PHONE),
        ("06.12.34.56.78 ou 01-23-45-67-89", f"{PHONE} ou {PHONE}"),
        ("+33 6 12 34 56 78.", f"{PHONE}."),
        ("+33612345678", PHONE),
        ("0033 (0)6 12 34 56 78", PHONE),
        ("+44 20 7946 0958", PHONE),
        ("+1-202-555-0143", PHONE),
    ],
)
def test_emails_and_phone_numbers_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "j'ai 35 ans et 12 000 euros d'économies en 2023",
        "rendez-vous le 12/05/2023 au 75015 Paris",
        "message 4f0612345678ab",
        "3 ans d'expérience en back-office",
    ],
)
def test_ordinary_numbers_are_kept(text):
    assert mask_text(text) == text


def test_nested_event_data_is_masked_everywhere():
    event = {
        "event": "user",
        "text": "je suis joignable au 07 11 22 33 44",
        "timestamp": 1700000000.5,
        "parse_data": {"text": "mail: a.b@c.fr", "entities": [{"value": "a.b@c.fr"}], "intent": {"confidence": 0.9}},
    }
    masked = mask_data(event)
    assert masked["text"] == f"je suis joignable au {PHONE}"
    assert masked["parse_data"]["text"] == f"mail: {EMAIL}"
    assert masked["parse_data"]["entities"][0]["value"] == EMAIL
    assert masked["timestamp"] == 1700000000.5
    assert masked["parse_data"]["intent"] == {"confidence": 0.9}
