"""The HR loop end to end: fallback, queue, HR answers from the CLI, the bot uses the answer at once."""
from __future__ import annotations

import subprocess
import sys

from backoffice_career.settings import ROOT
from tests.helpers.responses import static_part

QUESTION = "est-ce que le télétravail est possible en back office ?"
PARAPHRASE = "on peut faire du teletravail quand on bosse en back-office ?"
ANSWER = (
    "Oui : après la période d'essai, deux jours de télétravail par semaine sont possibles, selon l'accord d'entreprise."
)


def test_a_question_answered_by_hr_is_answered_by_the_bot_without_retraining(bot, domain):
    # 1. The bot has no answer.
    [reply] = bot.texts(QUESTION, sender="e2e-hr-1")
    assert reply.startswith(static_part(domain, "utter_no_answer"))
    # 2. The question is in the review queue.
    [item] = [i for i in bot.kb.open_review_items() if i.sender_id == "rest:e2e-hr-1"]
    assert (item.question, item.channel) == (QUESTION, "rest")
    assert item.intent in ("out_of_scope", "nlu_fallback")
    # 3. HR answers it from the command line.
    result = subprocess.run(
        [sys.executable, "-m", "hr.cli", "review", "answer", str(item.id), ANSWER, "--url", bot.kb_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    [answered] = [i for i in bot.kb.review_items("answered") if i.id == item.id]
    citation = f"« Réponse RH n° {answered.document_id} »"
    assert citation in result.stdout
    # 4. The same question and a paraphrase now get HR's answer and its citation.
    for sender, text in (("e2e-hr-2", QUESTION), ("e2e-hr-3", PARAPHRASE)):
        assert bot.texts(text, sender=sender) == [f"{ANSWER}\nSource : {citation}"]
    assert not [i for i in bot.kb.open_review_items() if i.sender_id in ("rest:e2e-hr-2", "rest:e2e-hr-3")]
