"""The FAQ batch command: real CSV files in, the bot's answers out (real model, real knowledge base)."""
from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest

from backoffice_career.settings import ROOT
from hr.faq import COLUMNS, FaqInputError, load_messages, read_questions
from tests.helpers.faq import DATA, read_rows

MODEL = ROOT / "models" / "bot.tar.gz"
MESSAGES = load_messages()


def run_faq(source, output, kb_url, *extra):
    env = dict(os.environ, KB_DATABASE_URL=kb_url, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, "-m", "hr.faq", str(source), str(output), *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture(scope="module")
def faq_run(kb, tmp_path_factory):
    """`python -m hr.faq` on the committed questions file (French Excel: BOM, `;`, CRLF)."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it)")
    output = tmp_path_factory.mktemp("faq") / "answers.csv"
    result = run_faq(DATA / "faq_questions.csv", output, str(kb.engine.url))
    return result, output


def test_answers_statuses_and_sources_are_the_expected_ones(faq_run):
    result, output = faq_run
    assert result.returncode == 0, result.stderr[-3000:]
    rows, expected = read_rows(output), read_rows(DATA / "faq_expected.csv")
    assert [r["question"] for r in rows] == [e["question"] for e in expected]
    for row, want in zip(rows, expected):
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


def test_a_higher_confidence_threshold_sends_answers_to_review(kb, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("question\nfaut il maitriser excel pour bosser en back office ?\n", "utf-8")
    output = tmp_path / "out.csv"
    result = run_faq(source, output, str(kb.engine.url), "--min-confidence", "1.01")
    assert result.returncode == 0, result.stderr[-3000:]
    [row] = read_rows(output, ",")
    assert row["status"] == "needs_review"
    assert "traitement de texte et en tableur" in row["answer"]  # the proposed answer, for HR to check


@pytest.mark.parametrize(
    "content, delimiter, questions",
    [
        (b"question\nComment devenir gestionnaire ?\nEt l'interim, c'est bien ?\n", ",",
         ["Comment devenir gestionnaire ?", "Et l'interim, c'est bien ?"]),
        (b'Question,Service\n"Excel, Word : faut-il les connaitre ?",RH\n', ",",
         ["Excel, Word : faut-il les connaitre ?"]),
        (b"\xef\xbb\xbfid;question\r\n1;Quelle formation ?\r\n2;\r\n\r\n", ";", ["Quelle formation ?", ""]),
    ],
)
def test_read_questions_formats(tmp_path, content, delimiter, questions):
    path = tmp_path / "q.csv"
    path.write_bytes(content)
    parsed = read_questions(path, MESSAGES)
    assert parsed.delimiter == delimiter
    assert [q for _, q in parsed.questions] == questions


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b" \r\n\r\n", "empty"),
        ("header_only.csv", b"question\n", "no_rows"),
        ("no_column.csv", "intitulé;service\nQuelle formation ?;RH\n".encode(), "missing_column"),
        ("classeur.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "binary"),
        ("latin1.csv", "question\nQuelle expérience ?\n".encode("latin-1"), "not_csv"),
        ("bad_quote.csv", b'question\n"Comment devenir "gestionnaire" ?\n', "not_csv"),
    ],
)
def test_bad_files_get_a_clear_error_and_exit_code_2(kb, tmp_path, name, content, message):
    source = tmp_path / name
    source.write_bytes(content)
    output = tmp_path / "out.csv"
    result = run_faq(source, output, str(kb.engine.url))
    assert result.returncode == 2
    expected = MESSAGES["errors"][message].split("{", 1)[0]
    assert result.stderr.startswith(expected), result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()
    with pytest.raises(FaqInputError):
        read_questions(source, MESSAGES)


def test_missing_input_file(kb, tmp_path):
    result = run_faq(tmp_path / "absent.csv", tmp_path / "out.csv", str(kb.engine.url))
    assert result.returncode == 2
    assert result.stderr.startswith(MESSAGES["errors"]["not_found"].split("{")[0])


def test_batched_nlu_gives_the_servers_parse(tmp_path):
    """hr/nlu_batch.py parses a batch exactly as the Rasa server parses one message at a time."""
    from hr.nlu_batch import BatchNlu

    nlu = BatchNlu(MODEL)
    texts = [q for _, q in read_questions(DATA / "faq_questions.csv", MESSAGES).questions]
    texts += ["", "😀😀", "x" * 100_000, "quelle formation ?", "et le salaire ?", "merci"]
    batch = nlu.parse(texts)
    assert len(batch) == len(texts)
    for text, parsed in zip(texts, batch):
        one = nlu.parse_one(text)
        assert parsed["text"] == one["text"]
        assert parsed["intent"]["name"] == one["intent"]["name"], text
        assert parsed["intent"]["confidence"] == pytest.approx(one["intent"]["confidence"], abs=1e-5), text
        assert [r["name"] for r in parsed["intent_ranking"]] == [r["name"] for r in one["intent_ranking"]]
