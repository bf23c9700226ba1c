"""Answers every question of a CSV file with the bot's NLU model and knowledge base (no server).

python -m hr.faq questions.csv answers.csv   (make faq IN=... OUT=...)
Input: UTF-8 (with or without BOM), comma- or semicolon-separated, with a `question` column.
Output: the same encoding and separator, columns question, answer, intent, confidence, sources, status.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from backoffice_career.knowledge.answer import ANSWER_RESPONSE, TopicAnswer, answer_topic, response_values
from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.errors import KnowledgeBaseUnavailable
from backoffice_career.knowledge.factory import open_knowledge_base
from backoffice_career.names import INTENT_EMPTY_MESSAGE
from backoffice_career.privacy.outputs import safe_cell
from backoffice_career.resources import FAQ, load_yaml
from backoffice_career.settings import ROOT, Settings, load_settings
from hr.nlu_batch import BATCH_SIZE, BatchNlu

COLUMNS = ["question", "answer", "intent", "confidence", "sources", "status"]
ANSWERED, NEEDS_REVIEW = "answered", "needs_review"
EMPTY_INTENT = INTENT_EMPTY_MESSAGE
SINGLE_COLUMN = "\x1f"  # a separator that never occurs in text
DEFAULT_MODEL = ROOT / "models" / "bot.tar.gz"


def load_messages() -> dict[str, Any]:
    messages: dict[str, Any] = load_yaml(FAQ)
    return messages


def review_min_confidence(settings: Settings, messages: dict[str, Any]) -> float:
    """Under this NLU confidence an answer needs review: FAQ_MIN_CONFIDENCE, else data/faq.yml's."""
    return float(messages["min_confidence"] if settings.faq_min_confidence is None else settings.faq_min_confidence)


class FaqInputError(Exception):
    """The input file cannot be used; the message is for the user."""


@dataclass(frozen=True)
class QuestionFile:
    questions: list[tuple]  # (line number, question text)
    delimiter: str
    bom: bool


def read_questions(path: Path, messages: dict[str, Any]) -> QuestionFile:
    errors = messages["errors"]
    try:
        raw = path.read_bytes()
    except OSError:
        raise FaqInputError(errors["not_found"].format(path=path)) from None
    if not raw.strip():
        raise FaqInputError(errors["empty"].format(path=path))
    if b"\x00" in raw:
        raise FaqInputError(errors["binary"].format(path=path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FaqInputError(errors["not_csv"].format(path=path, detail=exc)) from exc
    if not text.strip():
        raise FaqInputError(errors["empty"].format(path=path))
    header_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    # A one-column file: a comma in a question is part of it, not a separator.
    split = delimiter if delimiter in header_line else SINGLE_COLUMN
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=split, strict=True)
    try:
        header = next(row for row in reader if row)
        names = [name.strip().lower() for name in header]
        if "question" not in names:
            shown = ", ".join(f"« {name.strip()} »" for name in header)
            raise FaqInputError(errors["missing_column"].format(path=path, columns=shown))
        column = names.index("question")
        # Fully blank lines are not records; a record with an empty question is kept (and reported).
        questions = [(reader.line_num, row[column] if column < len(row) else "") for row in reader if row]
    except csv.Error as exc:
        raise FaqInputError(errors["not_csv"].format(path=path, detail=exc)) from exc
    if not questions:
        raise FaqInputError(errors["no_rows"].format(path=path))
    return QuestionFile(questions, delimiter, raw.startswith(b"\xef\xbb\xbf"))


def answer_row(
    question: str,
    parse_data: dict[str, Any],
    kb: KnowledgeBase,
    response: str,
    min_confidence: float,
    settings: Settings,
    lemmas: list[str] | None = None,
) -> dict[str, Any]:
    """One output row: the bot's answer to `question`, or an empty answer to review."""
    from rasa.core.nlg.interpolator import interpolate_text

    intent = parse_data.get("intent") or {}
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    text = parse_data.get("text") or ""
    # As the bot: a question on what the guide never answers (another trade, a cost) gets no guide passage.
    result = TopicAnswer(None, []) if kb.off_guide(text) else answer_topic(kb, text, name, settings, lemmas)
    answer = sources = ""
    if result.found:
        values = response_values(kb, result)
        answer, sources = interpolate_text(response, values), values["source"]
    status = ANSWERED if result.found and confidence >= min_confidence else NEEDS_REVIEW
    return {
        "question": question,
        "answer": answer,
        "intent": name or "",
        "confidence": f"{confidence:.3f}",
        "sources": sources,
        "status": status,
    }


def answer_questions(
    questions: Sequence[tuple],
    nlu: BatchNlu,
    kb: KnowledgeBase,
    min_confidence: float,
    messages: dict[str, Any],
    progress: bool = True,
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    settings = settings or load_settings()
    response = nlu.domain.responses[ANSWER_RESPONSE][0]["text"]
    rows = []
    with tqdm(total=len(questions), desc=messages["progress"], unit=" q", disable=not progress, file=sys.stderr) as bar:
        for start in range(0, len(questions), BATCH_SIZE):
            batch = questions[start : start + BATCH_SIZE]
            parsed = nlu.parse([q for _, q in batch])
            lemmas = kb.normalizer.lemmas_many(p.get("text") or "" for p in parsed)
            for (line, question), parse_data, terms in zip(batch, parsed, lemmas, strict=True):
                row = answer_row(question, parse_data, kb, response, min_confidence, settings, terms)
                if row["intent"] == EMPTY_INTENT:
                    bar.write(messages["warnings"]["empty_question"].format(line=line), file=sys.stderr)
                rows.append(row)
            bar.update(len(batch))
    return rows


def write_answers(path: Path, rows: list[dict[str, Any]], source: QuestionFile) -> None:
    encoding = "utf-8-sig" if source.bom else "utf-8"
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=source.delimiter)
        writer.writeheader()
        # A question or an answer starting with =, +, -, @ is not run as a formula by a spreadsheet.
        writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)


def load_nlu(model: Path) -> BatchNlu:
    """The model loaded with the Rasa server's patches (rasa_server/patches/): the server's parse."""
    from rasa_server.patches import install_all

    install_all()
    return BatchNlu(model)


def main(argv: list[str] | None = None, nlu: BatchNlu | None = None) -> int:
    """`nlu`: the model already loaded (tests share one load), else loaded from --model."""
    settings = load_settings()
    messages = load_messages()
    errors = messages["errors"]
    parser = argparse.ArgumentParser(prog="python -m hr.faq", description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--min-confidence", type=float, default=review_min_confidence(settings, messages))
    args = parser.parse_args(argv)
    try:
        source = read_questions(args.input, messages)
    except FaqInputError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not args.model.is_file():
        print(errors['model_missing'].format(path=args.model), file=sys.stderr)
        return 2
    try:
        kb = open_knowledge_base(settings)
        kb.check()
    except KnowledgeBaseUnavailable as exc:
        print(errors['kb_unavailable'].format(detail=exc), file=sys.stderr)
        return 2
    nlu = nlu or load_nlu(args.model)
    rows = answer_questions(source.questions, nlu, kb, args.min_confidence, messages, settings=settings)
    try:
        write_answers(args.output, rows, source)
    except OSError as exc:
        print(errors['cannot_write'].format(path=args.output, detail=exc), file=sys.stderr)
        return 2
    answered = sum(r["status"] == ANSWERED for r in rows)
    empty = sum(r["intent"] == EMPTY_INTENT for r in rows)
    print(messages["summary"].format(
        total=len(rows), answered=answered, review=len(rows) - answered, empty=empty, path=args.output
    ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
