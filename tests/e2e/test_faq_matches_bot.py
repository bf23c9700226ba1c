"""The FAQ batch answers (tests/data/faq_expected.csv, checked against `make faq` in tests/unit/test_faq.py)
are exactly what the running bot answers over REST."""
from __future__ import annotations

from tests.helpers.faq import DATA, read_rows


def test_faq_answers_are_the_bots_answers(bot):
    answered = [r for r in read_rows(DATA / "faq_expected.csv") if r["status"] == "answered"]
    assert len(answered) == 6
    for number, row in enumerate(answered):
        assert bot.texts(row["question"], sender=f"faq-{number}") == [row["answer"]], row["question"]
