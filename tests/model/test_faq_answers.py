"""The FAQ batch command: real CSV files in, the bot's answers out (real model, real knowledge base)."""
from __future__ import annotations

import pytest

from hr import faq
from hr.faq import COLUMNS, load_messages, read_questions
from tests.helpers.bot_fixtures import require_model
from tests.helpers.faq import DATA, read_rows, run_faq

MESSAGES = load_messages()


@pytest.fixture(scope="module")
def faq_run(kb, tmp_path_factory):
    """`python -m hr.faq` on the committed questions file (French Excel: BOM, `;`, CRLF)."""
    require_model()
    output = tmp_path_factory.mktemp("faq") / "answers.csv"
    result = run_faq(DATA / "faq_questions.csv", output, str(kb.engine.url))
    return result, output


def test_answers_statuses_and_sources_are_the_expected_ones(faq_run):
    result, output = faq_run
    assert result.returncode == 0, result.stderr[-3000:]
    rows, expected = read_rows(output), read_rows(DATA / "faq_expected.csv")
    assert [r["question"] for r in rows] == [e["question"] for e in expected]
    for row, want in zip(rows, expected, strict=True):
        for column in ("answer", "intent", "sources", "status"):
            assert row[column] == want[column], (row["question"], column)
        confidence = float(row["confidence"])
        assert 0.0 <= confidence <= 1.0
        if row["status"] == "answered":
            assert confidence >= MESSAGES["min_confidence"]
            assert row["answer"].endswith("\nSource : " + row["sources"])
    statuses = [r["status"] for r in rows]
    assert statuses.count("answered") == 6 and statuses.count("needs_review") == 4


def test_output_keeps_the_input_format_and_reports_empty_questions(faq_run):
    result, output = faq_run
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM kept for Excel
    assert raw[3:].split(b"\r\n")[0].decode() == ";".join(COLUMNS)
    assert MESSAGES["warnings"]["empty_question"].format(line=7) in result.stderr
    empty = [r for r in read_rows(output) if r["question"] == ""]
    assert [(r["intent"], r["status"]) for r in empty] == [("empty_message", "needs_review")]
    assert "10 question(s) : 6 répondue(s), 4 à revoir dont 1 vide(s)" in result.stdout


def test_a_higher_confidence_threshold_sends_answers_to_review(kb, batch_nlu, tmp_path, monkeypatch, capsys):
    source = tmp_path / "in.csv"
    source.write_text("question\nfaut il maitriser excel pour bosser en back office ?\n", "utf-8")
    output = tmp_path / "out.csv"
    monkeypatch.setenv("KB_DATABASE_URL", str(kb.engine.url))
    assert faq.main([str(source), str(output), "--min-confidence", "1.01"], nlu=batch_nlu) == 0, capsys.readouterr()
    [row] = read_rows(output, ",")
    assert row["status"] == "needs_review"
    assert "traitement de texte et en tableur" in row["answer"]  # the proposed answer, for HR to check


def test_batched_nlu_gives_the_servers_parse(batch_nlu):
    """hr/nlu_batch.py parses a batch exactly as the Rasa server parses one message at a time."""
    nlu = batch_nlu
    texts = [q for _, q in read_questions(DATA / "faq_questions.csv", MESSAGES).questions]
    texts += ["", "😀😀", "x" * 100_000, "quelle formation ?", "et le salaire ?", "merci"]
    batch = nlu.parse(texts)
    assert len(batch) == len(texts)
    for text, parsed in zip(texts, batch, strict=True):
        one = nlu.parse_one(text)
        assert parsed["text"] == one["text"]
        assert parsed["intent"]["name"] == one["intent"]["name"], text
        assert parsed["intent"]["confidence"] == pytest.approx(one["intent"]["confidence"], abs=1e-5), text
        assert [r["name"] for r in parsed["intent_ranking"]] == [r["name"] for r in one["intent_ranking"]]
