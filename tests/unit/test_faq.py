"""The FAQ batch command's input checks: real CSV files in, clear errors out (no trained model needed).

The tests that answer questions with the trained model are in tests/model/test_faq_answers.py.
"""
from __future__ import annotations

import csv

import pytest

from hr.faq import FaqInputError, load_messages, read_questions, write_answers
from tests.helpers.faq import run_faq

MESSAGES = load_messages()


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


def test_answers_file_neutralises_formulas(tmp_path):
    """OWASP CSV injection: a question (or answer) starting with =, +, -, @ is written with a leading '."""
    source = tmp_path / "q.csv"
    source.write_bytes(b'question\n"=HYPERLINK(""http://evil.example"",""clic"")"\n@SUM(A1)\n')
    parsed = read_questions(source, MESSAGES)
    rows = [
        {"question": q, "answer": "-1+1", "intent": "out_of_scope", "confidence": "0.100", "sources": "", "status": "x"}
        for _, q in parsed.questions
    ]
    out = tmp_path / "answers.csv"
    write_answers(out, rows, parsed)
    written = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["question"] for r in written] == ["'=HYPERLINK(\"http://evil.example\",\"clic\")", "'@SUM(A1)"]
    assert {r["answer"] for r in written} == {"'-1+1"} and {r["confidence"] for r in written} == {"0.100"}


def test_a_question_off_the_guide_gets_no_answer_even_with_a_sure_topic_intent(kb, settings):
    """As the bot (replies.topic_reply): another trade or a cost is left to HR, never a guide passage."""
    from hr.faq import answer_row

    for question in ("Combien coûte une formation de secrétariat ?", "Comment devenir ostéopathe ?"):
        parse = {"text": question, "intent": {"name": "ask_courses", "confidence": 0.99}}
        row = answer_row(question, parse, kb, "{answer}\nSource : {source}", 0.5, settings)
        assert (row["answer"], row["sources"], row["status"]) == ("", "", "needs_review"), question
    parse = {"text": "Quels cours suivre en plus ?", "intent": {"name": "ask_courses", "confidence": 0.99}}
    assert answer_row("Quels cours suivre en plus ?", parse, kb, "{answer}", 0.5, settings)["status"] == "answered"
