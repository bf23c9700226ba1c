"""The HR review loop: queue, CLI (list, answer, dismiss, export), HR answers used at once."""
from __future__ import annotations

import csv
import re
import shutil

import pytest
import yaml
from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, Text, inspect, select
from sqlalchemy.orm import Session

from actions.actions import ActionAnswerTopic, ActionAnswerUnknown
from backoffice_career.knowledge.db import Document, ReviewItem, create_schema, make_engine
from backoffice_career.knowledge.factory import build_knowledge_base
from backoffice_career.knowledge.ingest import build
from backoffice_career.privacy.masking import masks
from backoffice_career.privacy.outputs import safe_cell
from backoffice_career.review.queue import ReviewError
from backoffice_career.settings import ROOT
from hr import cli
from hr.cli import EXPORT_COLUMNS
from tests.helpers.trackers import make_tracker, run

ESCAPES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

QUESTION = "est-ce que le télétravail est possible quand on travaille en back office ?"
ANSWER = (
    "Oui : après la période d'essai, deux jours de télétravail par semaine sont possibles, selon l'accord d'entreprise."
)


def kb_url(kb) -> str:
    return str(kb.engine.url)


def hr_answer(kb, question=QUESTION, answer=ANSWER) -> int:
    item_id = kb.record_unanswered(question, "someone", "rest", "out_of_scope", 0.93)
    assert cli.main(["review", "answer", str(item_id), answer, "--url", kb_url(kb)]) == 0
    return item_id


async def ask_unknown(kb, text):
    dispatcher, events = await run(ActionAnswerUnknown(lambda: kb), make_tracker(text, "out_of_scope", 0.9))
    assert events == []
    [message] = dispatcher.messages
    return message


def test_list_shows_open_items(fresh_kb, capsys):
    fresh_kb.record_unanswered("quel salaire ?", "a", "rest", "out_of_scope", 0.8)
    fresh_kb.record_unanswered("et les horaires ?", "b", "slack", "nlu_fallback", 0.31)
    assert cli.main(["review", "list", "--url", kb_url(fresh_kb)]) == 0
    out = capsys.readouterr().out
    assert "#1" in out and "quel salaire ?" in out and "[slack]" in out and "0.31" in out
    assert "2 open item(s)" in out


def test_questions_are_masked_in_the_queue(fresh_kb):
    fresh_kb.record_unanswered("rappelez-moi au 06 12 34 56 78 ou jo@exemple.fr", "a", "rest", "nlu_fallback", 0.2)
    [item] = fresh_kb.open_review_items()
    assert item.question == f"rappelez-moi au {masks()['phone']} ou {masks()['email']}"


async def test_hr_answer_is_used_at_once_for_the_question_and_a_paraphrase(fresh_kb):
    before = await ask_unknown(fresh_kb, QUESTION)
    assert before["response"] == "utter_no_answer"
    [item] = fresh_kb.open_review_items()
    assert cli.main(["review", "answer", str(item.id), ANSWER, "--url", kb_url(fresh_kb)]) == 0
    assert fresh_kb.open_review_items() == []
    [answered] = fresh_kb.review_items("answered")
    assert answered.document_id and answered.resolved_at

    for text in (QUESTION, "on peut faire du teletravail en back-office ?"):
        message = await ask_unknown(fresh_kb, text)
        assert message["response"] == "utter_kb_answer"
        assert message["answer"] == ANSWER
        assert message["source"] == f"« Réponse RH n° {answered.document_id} »"
    # Answered questions are not queued again.
    assert fresh_kb.open_review_items() == []


async def test_unrelated_questions_still_get_the_honest_fallback(fresh_kb):
    hr_answer(fresh_kb)
    for text in ("quel est le salaire d'un gestionnaire back office ?", "c'est quoi la convention collective ?"):
        assert (await ask_unknown(fresh_kb, text))["response"] == "utter_no_answer"


def test_every_out_of_scope_example_gets_no_answer_from_the_shipped_guide(kb, settings):
    examples = []
    for path in (ROOT / "data" / "nlu" / "out_of_scope.yml", ROOT / "tests" / "nlu" / "heldout.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if block["intent"] == "out_of_scope":
                examples += [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
    assert len(examples) > 50
    for text in examples:
        assert kb.extra_answer(text, settings.extra_min_score, settings.extra_min_coverage) is None, text


def test_hr_answers_survive_a_knowledge_base_build(fresh_kb, settings, normalizer, topic_specs):
    hr_answer(fresh_kb)
    build(fresh_kb.engine, settings.knowledge_dir, normalizer, topic_specs)
    hit = fresh_kb.extra_answer(QUESTION, settings.extra_min_score, settings.extra_min_coverage)
    assert hit is not None and hit.text == ANSWER and hit.origin == "hr"


async def test_a_new_document_is_found_after_a_build_without_retraining(tmp_path, settings, normalizer, topic_specs):
    source = tmp_path / "knowledge"
    shutil.copytree(settings.knowledge_dir, source)
    (source / "mutuelle.txt").write_text(
        "La mutuelle d'entreprise\n\nLa mutuelle d'entreprise est obligatoire dans le secteur privé : "
        "l'employeur en paie au moins la moitié.\n",
        encoding="utf-8",
    )
    kb = build_knowledge_base(f"sqlite:///{tmp_path / 'kb.sqlite'}", source, normalizer, topic_specs)
    message = await ask_unknown(kb, "la mutuelle d'entreprise est elle obligatoire ?")
    assert message["response"] == "utter_kb_answer"
    assert "l'employeur en paie au moins la moitié" in message["answer"]
    assert message["source"] == "« La mutuelle d'entreprise », § 1"


def test_dismiss_and_errors(fresh_kb, capsys):
    item_id = fresh_kb.record_unanswered("blabla ?", "a", "rest", "nlu_fallback", 0.1)
    url = kb_url(fresh_kb)
    assert cli.main(["review", "dismiss", str(item_id), "--url", url]) == 0
    assert fresh_kb.open_review_items() == []
    assert [i.status for i in fresh_kb.review_items()] == ["dismissed"]
    # Closed or unknown items, empty answers: a clear error, exit code 2.
    assert cli.main(["review", "answer", str(item_id), "réponse", "--url", url]) == 2
    assert cli.main(["review", "dismiss", "999", "--url", url]) == 2
    assert "no review item #999" in capsys.readouterr().err
    other = fresh_kb.record_unanswered("autre ?", "a", "rest", "nlu_fallback", 0.1)
    with pytest.raises(ReviewError):
        fresh_kb.answer_review_item(other, "   ")


def _export(kb, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("EXPORTS_DIR", str(tmp_path / "exports"))
    assert cli.main(["review", "export", "--url", kb_url(kb)]) == 0
    [out] = (tmp_path / "exports").iterdir()
    assert str(out) in capsys.readouterr().out
    return out


def test_export_to_a_dated_csv_file(fresh_kb, tmp_path, monkeypatch, capsys):
    fresh_kb.record_unanswered("quel salaire, « brut » ?", "a", "rest", "out_of_scope", 0.8)
    second = fresh_kb.record_unanswered("horaires ?", "b", "slack", "nlu_fallback", 0.3)
    fresh_kb.dismiss_review_item(second)
    out = _export(fresh_kb, monkeypatch, tmp_path, capsys)
    assert re.fullmatch(r"review-export-\d{8}T\d{12}Z\.csv", out.name)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["question"], r["channel"], r["intent"], r["status"]) for r in rows] == [
        ("quel salaire, « brut » ?", "rest", "out_of_scope", "open"),
        ("horaires ?", "slack", "nlu_fallback", "dismissed"),
    ]
    assert float(rows[0]["confidence"]) == 0.8 and rows[0]["asked_at"]


@pytest.mark.parametrize("formula", [
    "=HYPERLINK(\"http://evil.example\",\"clic\")", "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1;cmd|' /C calc'!A0",
])
def test_export_cells_never_start_a_formula(fresh_kb, tmp_path, monkeypatch, capsys, formula):
    fresh_kb.record_unanswered(formula, "a", formula, formula, 0.5)
    out = _export(fresh_kb, monkeypatch, tmp_path, capsys)
    [row] = list(csv.reader(out.open(encoding="utf-8")))[1:]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    assert row[EXPORT_COLUMNS.index("question")] == "'" + formula


def test_safe_cell_follows_the_owasp_rule():
    for dangerous in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    for harmless in ("quel salaire ?", "0.8", "", "'déjà"):
        assert safe_cell(harmless) == harmless
    assert safe_cell(0.8) == 0.8 and safe_cell(None) is None


def test_terminal_escape_codes_never_reach_the_queue_or_the_terminal(fresh_kb, capsys):
    hostile = "\x1b[2J\x1b[31mvirement urgent\x1b]0;pwned\x07 au 06\u200b12 34 56 78\x1b[0m\r\nok"
    fresh_kb.record_unanswered(hostile, "a", "rest\x1b[5m", "out_of_scope\x07", 0.5)
    [item] = fresh_kb.open_review_items()
    assert not ESCAPES.search(item.question + item.channel + item.intent)
    assert item.question == f"[2J[31mvirement urgent]0;pwned au {masks()['phone']}[0m ok"
    # A row written before cleaning existed (straight into the table) is cleaned on display too.
    with Session(fresh_kb.engine) as session, session.begin():
        session.add(ReviewItem(question="\x1b[2Jraw \x9b31m row", channel="\x1b[1mweb", intent="x"))
    assert cli.main(["review", "list", "--url", kb_url(fresh_kb)]) == 0
    out = capsys.readouterr().out
    assert not ESCAPES.search(out)
    assert "virement urgent" in out and "raw 31m row" in out and "2 open item(s)" in out


def test_odd_confidence_and_long_labels_are_stored_safely(fresh_kb):
    fresh_kb.record_unanswered("q ?", "a", "x" * 5000, "y" * 5000, float("nan"))
    fresh_kb.record_unanswered("q ?", "a", None, None, "pas un nombre")
    first, second = fresh_kb.open_review_items()
    assert (len(first.channel), len(first.intent), first.confidence) == (100, 100, None)
    assert (second.channel, second.intent, second.confidence) == (None, None, None)


def test_an_hr_answer_has_a_neutral_title(fresh_kb):
    hr_answer(fresh_kb, question="mon manager Jean Dupont refuse mon télétravail, que faire ?")
    with Session(fresh_kb.engine) as session:
        [document] = session.scalars(select(Document).where(Document.origin == "hr")).all()
        assert document.title == f"Réponse RH n° {document.id}"
    assert all("Dupont" not in p.title for p in fresh_kb._current_index().passages)


def test_an_older_database_gets_the_new_review_columns(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    old = MetaData()
    Table(
        "kb_review_item", old,
        Column("id", Integer, primary_key=True), Column("question", Text, nullable=False),
        Column("asked_at", DateTime, nullable=False), Column("sender_id", String(255)),
        Column("channel", String(100)), Column("intent", String(100)), Column("confidence", Float),
        Column("status", String(20), nullable=False),
    )
    old.create_all(engine)
    create_schema(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("kb_review_item")}
    assert {"resolved_at", "document_id"} <= columns


@pytest.mark.parametrize("confidence, queued", [(0.5, True), (0.95, False)])
async def test_an_answer_on_a_shaky_intent_is_given_and_queued_for_review(fresh_kb, confidence, queued):
    tracker = make_tracker("faut il maitriser excel ?", "ask_office_software", confidence)
    dispatcher, _ = await run(ActionAnswerTopic(lambda: fresh_kb), tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_kb_answer"]
    items = fresh_kb.open_review_items()
    assert [(i.question, i.intent, i.confidence) for i in items] == (
        [("faut il maitriser excel ?", "ask_office_software", confidence)] if queued else []
    )
