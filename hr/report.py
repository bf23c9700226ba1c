"""HR analytics: a self-contained HTML report from the conversation store and the review queue."""
from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import REVIEW_OPEN, ReviewItem, Topic
from backoffice_career.knowledge.text import Normalizer
from backoffice_career.names import SLOT_LAST_TOPIC, UTTER_NO_ANSWER
from backoffice_career.privacy.conversations import ConversationStore, StoredEvent
from backoffice_career.privacy.masking import mask_clean_text, masks
from backoffice_career.resources import REPORT_DIR, REPORT_LABELS, load_yaml

NO_ANSWER_RESPONSE = UTTER_NO_ANSWER
TOPIC_SLOT = SLOT_LAST_TOPIC
TOP = 10


@dataclass
class ReportData:
    messages_per_day: dict[date, int] = field(default_factory=dict)
    conversations_per_day: dict[date, int] = field(default_factory=dict)
    fallback_rate_per_day: dict[date, float] = field(default_factory=dict)  # share of messages, 0..1
    top_intents: list[tuple[str, int]] = field(default_factory=list)
    top_topics: list[tuple[str, int]] = field(default_factory=list)  # topic labels
    uncovered_terms: list[tuple[str, int]] = field(default_factory=list)  # lemma, open questions using it
    open_items: list[ReviewItem] = field(default_factory=list)
    total_conversations: int = 0
    total_messages: int = 0


def _day(event: StoredEvent) -> date:
    return datetime.fromtimestamp(event.timestamp, tz=timezone.utc).date()


def collect(kb_engine: Engine, conversations: ConversationStore, normalizer: Normalizer) -> ReportData:
    """The report's figures."""
    events = conversations.events()
    user = [e for e in events if e.type_name == "user"]
    data = ReportData(total_messages=len(user), total_conversations=len({e.sender_id for e in user}))
    messages = Counter(_day(e) for e in user)
    data.messages_per_day = dict(sorted(messages.items()))
    senders: dict[date, set] = {}
    for e in user:
        senders.setdefault(_day(e), set()).add(e.sender_id)
    data.conversations_per_day = {d: len(senders[d]) for d in sorted(senders)}
    no_answer = Counter(
        _day(e) for e in events
        if e.type_name == "bot" and (e.data.get("metadata") or {}).get("utter_action") == NO_ANSWER_RESPONSE
    )
    data.fallback_rate_per_day = {d: no_answer[d] / n for d, n in data.messages_per_day.items()}
    data.top_intents = Counter(e.intent_name for e in user if e.intent_name).most_common(TOP)

    with Session(kb_engine) as session:
        labels = {t.name: t.label for t in session.scalars(select(Topic))}
        data.open_items = list(
            session.scalars(select(ReviewItem).where(ReviewItem.status == REVIEW_OPEN).order_by(ReviewItem.id))
        )
    topics = Counter(
        e.data.get("value") for e in events
        if e.type_name == "slot" and e.data.get("name") == TOPIC_SLOT and e.data.get("value")
    )
    data.top_topics = [(str(labels.get(name, name)), n) for name, n in topics.most_common(TOP)]
    for item in data.open_items:
        item.question = mask_clean_text(item.question)
    generic = normalizer.config.generic_words
    terms: Counter[str] = Counter()
    questions = [item.question for item in data.open_items]
    for label in masks().values():
        questions = [q.replace(label, " ") for q in questions]
    for lemmas in normalizer.lemmas_many(questions):
        terms.update({t for t in lemmas if t not in generic and t.isalpha() and len(t) > 2})
    data.uncovered_terms = terms.most_common(TOP)
    return data


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plot_bars(pairs: Sequence[tuple[str, float]], axis: str, no_data: str) -> str:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 0.4 * max(len(pairs), 3) + 1))
    ax = figure.subplots()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if pairs:
        names = [name for name, _ in reversed(pairs)]
        ax.barh(names, [value for _, value in reversed(pairs)], color="#3b6ea5")
        ax.set_xlabel(axis)
    else:
        ax.text(0.5, 0.5, no_data, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    return _png(figure)


def _plot_days(series: Mapping[str, Mapping[date, float]], axis: str, no_data: str, percent: bool = False) -> str:
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 3.5))
    ax = figure.subplots()
    days = sorted({d for values in series.values() for d in values})
    ax.set_xticks(days[:: max(1, len(days) // 10)])  # one tick per day, at most ~10
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
    if not percent:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if any(series.values()):
        for name, values in series.items():
            days = list(values)
            ax.plot(days, [v * 100 if percent else v for v in values.values()], marker="o", label=name)
        ax.set_ylabel(axis)
        ax.set_ylim(bottom=0, top=100 if percent else None)
        if len(series) > 1:
            ax.legend()
        figure.autofmt_xdate()
    else:
        ax.text(0.5, 0.5, no_data, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    return _png(figure)


def render(data: ReportData, now: datetime | None = None) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    labels = load_yaml(REPORT_LABELS)
    no_data = labels["no_data"]
    sections = [
        {"id": "activity", "heading": labels["activity"]["heading"], "png": _plot_days(
            {labels["activity"]["messages"]: data.messages_per_day,
             labels["activity"]["conversations"]: data.conversations_per_day},
            labels["activity"]["axis"], no_data)},
        {"id": "intents", "heading": labels["intents"]["heading"],
         "png": _plot_bars(data.top_intents, labels["intents"]["axis"], no_data)},
        {"id": "topics", "heading": labels["topics"]["heading"],
         "png": _plot_bars(data.top_topics, labels["topics"]["axis"], no_data)},
        {"id": "fallback", "heading": labels["fallback"]["heading"], "png": _plot_days(
            {labels["fallback"]["heading"]: data.fallback_rate_per_day}, labels["fallback"]["axis"], no_data,
            percent=True)},
        {"id": "uncovered", "heading": labels["uncovered"]["heading"], "note": labels["uncovered"]["note"],
         "png": _plot_bars(data.uncovered_terms, labels["uncovered"]["axis"], no_data)},
    ]
    open_items = [
        {"id": i.id, "asked_at": f"{i.asked_at:%Y-%m-%d %H:%M}", "channel": i.channel or "", "intent": i.intent or "",
         "confidence": "" if i.confidence is None else f"{i.confidence:.2f}", "question": i.question}
        for i in data.open_items
    ]
    env = Environment(loader=FileSystemLoader(str(REPORT_DIR)), autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("report.html.j2").render(
        labels=labels,
        generated=labels["generated"].format(date=f"{now or datetime.now(timezone.utc):%Y-%m-%d %H:%M}"),
        summary=labels["summary"].format(
            conversations=data.total_conversations, messages=data.total_messages, open_items=len(data.open_items)
        ),
        sections=sections,
        open_items=open_items,
    )


def write_report(path: Path, kb_engine: Engine, conversations: ConversationStore, normalizer: Normalizer) -> ReportData:
    data = collect(kb_engine, conversations, normalizer)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data), encoding="utf-8")
    return data
