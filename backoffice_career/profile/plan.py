"""A personal plan: the advice steps that apply to a profile, with their source passages."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backoffice_career.knowledge.citations import cite, paragraphs
from backoffice_career.knowledge.index import Hit, Index
from backoffice_career.knowledge.text import KbConfig
from backoffice_career.profile.advice import applies


@dataclass(frozen=True)
class PlanStep:
    key: str
    text: str
    sources: list[Hit]


def plan(index: Index, profile: dict[str, Any]) -> list[PlanStep]:
    """The advice steps that apply to a profile, in rule order, each with its source passages."""
    return [
        PlanStep(a.key, a.text, [index.by_id[pid].hit(0.0) for pid in a.passage_ids])
        for a in index.advice
        if applies(a.conditions, profile)
    ]


def render_plan(config: KbConfig, steps: Sequence[PlanStep]) -> tuple[str, str]:
    """Numbered steps (format of the KB config) and the references of all their sources."""
    lines = [
        config.plan_step_format.format(number=number, text=step.text, paragraphs=paragraphs(config, step.sources))
        for number, step in enumerate(steps, start=1)
    ]
    every_source = sorted({h.passage_id: h for s in steps for h in s.sources}.values(), key=lambda h: h.position)
    return config.plan_step_separator.join(lines), cite(config, every_source)
