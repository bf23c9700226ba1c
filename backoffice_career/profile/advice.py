"""Advice rules (data/advice/*.yml): profile conditions -> ordered, sourced plan steps."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import AdviceCitation, AdviceStep, Document, Passage
from backoffice_career.resources import load_yaml

UNKNOWN = "inconnu"
OPERATORS = {"lt", "gte", "eq", "in", "not_in", "lacks_any", "known"}


class AdviceRuleError(Exception):
    """An advice rule that is malformed or cites a passage that does not exist."""


@dataclass(frozen=True)
class StepRule:
    key: str
    position: int
    text: str
    when: dict[str, dict[str, Any]]
    cites: tuple[tuple[str, int, int], ...]  # (document, paragraph, sentence)


def read_rules(directory: Path) -> list[StepRule]:
    rules: list[StepRule] = []
    for path in sorted(directory.glob("*.yml")):
        raw = load_yaml(path)
        for item in raw.get("steps", []):
            key = item.get("id")
            where = f"{path.name}, step {key or len(rules) + 1}"
            if not key or not item.get("text") or not item.get("cites"):
                raise AdviceRuleError(f"{where}: each step needs an id, a text and cites")
            for slot, condition in (item.get("when") or {}).items():
                unknown_ops = set(condition) - OPERATORS
                if unknown_ops:
                    raise AdviceRuleError(f"{where}: unknown condition {sorted(unknown_ops)} on {slot}")
            cites = tuple((c["document"], int(c["paragraph"]), int(c["sentence"])) for c in item["cites"])
            rules.append(StepRule(key, len(rules) + 1, item["text"], item.get("when") or {}, cites))
    keys = [r.key for r in rules]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise AdviceRuleError(f"duplicate advice step ids: {', '.join(duplicates)}")
    return rules


def store_rules(session: Session, rules: Sequence[StepRule]) -> None:
    """Replace the advice steps; every citation must resolve to a stored passage."""
    session.execute(delete(AdviceStep))
    for rule in rules:
        step = AdviceStep(key=rule.key, position=rule.position, text=rule.text, conditions=json.dumps(rule.when))
        for document, paragraph, sentence in rule.cites:
            passage_id = session.scalar(
                select(Passage.id)
                .join(Document)
                .where(
                    Document.name == document,
                    Passage.paragraph == paragraph,
                    Passage.sentence_start <= sentence,
                    Passage.sentence_end >= sentence,
                )
            )
            if passage_id is None:
                raise AdviceRuleError(
                    f"advice step '{rule.key}' cites {document} § {paragraph}, sentence {sentence}, "
                    "which is not in the knowledge base"
                )
            if passage_id not in {c.passage_id for c in step.citations}:
                step.citations.append(AdviceCitation(passage_id=passage_id))
        session.add(step)


def _holds(condition: dict[str, Any], value: Any) -> bool:
    known = value is not None and value != UNKNOWN and value != [UNKNOWN]
    for op, expected in condition.items():
        if op == "known":
            ok = known == bool(expected)
        elif op in ("lt", "gte"):
            ok = known and isinstance(value, (int, float)) and (value < expected if op == "lt" else value >= expected)
        elif op == "eq":
            ok = known and value == expected
        elif op == "in":
            ok = known and value in expected
        elif op == "not_in":
            ok = not known or value not in expected
        else:  # lacks_any
            have = set(value) if known and isinstance(value, list) else set()
            ok = any(v not in have for v in expected)
        if not ok:
            return False
    return True


def applies(conditions: dict[str, dict[str, Any]], profile: dict[str, Any]) -> bool:
    return all(_holds(cond, profile.get(slot)) for slot, cond in conditions.items())
