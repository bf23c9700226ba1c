"""Command line for HR and debugging.

python -m hr.cli kb build|ask|check
python -m hr.cli review list|answer|dismiss|export|retry
python -m hr.cli privacy erase SENDER_ID | privacy purge [--days N]
python -m hr.cli report

Reports and exports are written to EXPORTS_DIR (default var/exports) with their date in their name;
erasure and the retention purge delete them.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from backoffice_career.knowledge.db import make_engine, passage_count, upgrade_schema
from backoffice_career.knowledge.errors import NO_PASSAGE, KnowledgeBaseUnavailable, database_errors
from backoffice_career.knowledge.factory import build_normalizer, open_knowledge_base
from backoffice_career.knowledge.ingest import IngestError, build
from backoffice_career.knowledge.text import load_kb_config, load_topics
from backoffice_career.privacy.cleaning import clean_text
from backoffice_career.privacy.conversations import ConversationStore
from backoffice_career.privacy.erasure import erase_sender
from backoffice_career.privacy.outputs import dated_path, write_csv_rows
from backoffice_career.privacy.retention import purge_older_than
from backoffice_career.profile.advice import AdviceRuleError
from backoffice_career.review.delivery import answer_and_deliver, retry_failed
from backoffice_career.review.queue import ReviewError
from backoffice_career.settings import load_settings


def _build(args) -> int:
    settings = load_settings()
    normalizer = build_normalizer(settings)
    topics = load_topics(settings.topics_file, normalizer)
    directory = args.source or settings.knowledge_dir
    try:
        report = build(
            make_engine(args.url or settings.kb_database_url), directory, normalizer, topics, settings.advice_dir
        )
    except (IngestError, AdviceRuleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for message in report.errors:  # documents left out; the others are built (exit 0)
        print(f"warning: {message}", file=sys.stderr)
    print(
        f"knowledge base built: {report.documents} document(s), {report.passages} passages, "
        f"{report.topics} topics, {report.advice_steps} advice steps"
    )
    if report.uncovered_topics:
        print(f"error: topics with no passage: {', '.join(report.uncovered_topics)}", file=sys.stderr)
        return 2
    return 0


def _check(args) -> int:
    """The database answers and holds passages: a count, no spaCy nor index (the launcher runs it first)."""
    engine = make_engine(args.url or load_settings().kb_database_url)
    try:
        with database_errors():
            count = passage_count(engine)
        if not count:
            raise KnowledgeBaseUnavailable(NO_PASSAGE)
    except KnowledgeBaseUnavailable as exc:
        print(f"error: knowledge base unavailable: {exc}. Run `make kb`.", file=sys.stderr)
        return 2
    print(f"knowledge base ok: {count} passages")
    return 0


def _ask(args) -> int:
    kb = open_knowledge_base(url=args.url)
    try:
        hits = kb.search(args.question, topic=args.topic, limit=args.limit)
    except (KnowledgeBaseUnavailable, SQLAlchemyError) as exc:
        print(f"error: database unavailable: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("(no passage)")
    for rank, hit in enumerate(hits, start=1):
        print(f"{rank}. [{hit.score:.2f}] {kb.cite([hit])} topics={','.join(hit.topics)}\n   {hit.text}")
    return 0


EXPORT_COLUMNS = (
    "id", "asked_at", "channel", "intent", "confidence", "status", "question", "sender_id", "resolved_at", "document_id"
)


def _review_list(args) -> int:
    items = open_knowledge_base(url=args.url).review_items(None if args.all else "open")
    for item in items:
        confidence = "-" if item.confidence is None else f"{item.confidence:.2f}"
        # Cleaned again on display: rows written before cleaning existed reach no terminal raw.
        channel, intent, question = (clean_text(v) for v in (item.channel, item.intent, item.question))
        print(f"#{item.id} {item.asked_at:%Y-%m-%d %H:%M} [{channel}] {item.status} {intent} {confidence}: {question}")
    print(f"{len(items)} {'' if args.all else 'open '}item(s)")
    return 0


def _review_answer(args) -> int:
    kb = open_knowledge_base(url=args.url)
    document_id, delivery = answer_and_deliver(kb, args.id, args.answer)
    print(f"#{args.id} answered: {kb.config.hr_citation_format.format(number=document_id)}, used by the bot at once")
    print(f"delivery to the person who asked: {delivery.status}" + (f" ({delivery.error})" if delivery.error else ""))
    return 0


def _review_retry(args) -> int:
    """Posts again the Slack answers whose delivery failed (cron)."""
    settings = load_settings()
    engine = make_engine(args.url or settings.kb_database_url)
    upgrade_schema(engine)
    deliveries = retry_failed(engine, load_kb_config(settings.kb_config), settings=settings)
    for delivery in deliveries:
        print(f"#{delivery.item_id} {delivery.status}" + (f" ({delivery.error})" if delivery.error else ""))
    failed = sum(d.status == "failed" for d in deliveries)
    print(f"{len(deliveries) - failed} delivered, {failed} still failing")
    return 1 if failed else 0


def _review_dismiss(args) -> int:
    open_knowledge_base(url=args.url).dismiss_review_item(args.id)
    print(f"#{args.id} dismissed")
    return 0


def _review_export(args) -> int:
    """Writes the queue to a dated CSV file of EXPORTS_DIR, formulas neutralised."""
    items = open_knowledge_base(url=args.url).review_items(args.status)
    out = dated_path(load_settings().exports_dir, "review-export", "csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = [["" if getattr(item, c) is None else getattr(item, c) for c in EXPORT_COLUMNS] for item in items]
    with open(out, "w", newline="", encoding="utf-8") as handle:
        write_csv_rows(handle, [EXPORT_COLUMNS, *rows])
    print(f"{len(items)} item(s) written to {out}")
    return 0


def _stores(args):
    settings = load_settings()
    kb_engine = make_engine(args.url or settings.kb_database_url)
    return kb_engine, ConversationStore.from_url(args.tracker_url or settings.tracker_db_url)


def _privacy_stores(args):
    """The stores, a spaCy loader (used only when HR answers must be re-indexed) and the exports folder."""
    settings = load_settings()
    return (*_stores(args), lambda: build_normalizer(settings), settings.exports_dir)


def _erase(args) -> int:
    counts = erase_sender(args.sender_id, *_privacy_stores(args))
    print(f"erased {args.sender_id!r}: " + ", ".join(f"{table} {n}" for table, n in counts.items()))
    if ":" not in args.sender_id and not any(counts.values()):
        print("note: conversation ids carry their channel prefix (web:…, rest:…, slack:…)", file=sys.stderr)
    return 0


def _purge(args) -> int:
    days = load_settings().retention_days if args.days is None else args.days
    if days < 0:
        print("error: --days must be 0 or more", file=sys.stderr)
        return 2
    stores = _privacy_stores(args)
    counts = purge_older_than(days, *stores)
    print(f"purged data older than {days} days: " + ", ".join(f"{table} {n}" for table, n in counts.items()))
    # The HR console's audit log is kept for its own period (AUDIT_RETENTION_DAYS), not RETENTION_DAYS.
    from hr_console.audit import purge_audit

    audit_days = load_settings().audit_retention_days
    print(f"purged audit entries older than {audit_days} days: {purge_audit(stores[0], audit_days)}")
    return 0


def _report(args) -> int:
    from hr.report import write_report

    settings = load_settings()
    kb_engine, conversations = _stores(args)
    out = dated_path(settings.exports_dir, "report", "html")
    data = write_report(out, kb_engine, conversations, build_normalizer(settings))
    print(f"report written to {out}: {data.total_conversations} conversation(s), {data.total_messages} message(s)")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hr.cli")
    groups = parser.add_subparsers(dest="group", required=True)
    kb = groups.add_parser("kb", help="knowledge base")
    sub = kb.add_subparsers(dest="command", required=True)
    for name in ("build", "check", "ask", "review"):
        cmd = sub.add_parser(name, help="list the review queue" if name == "review" else None)
        cmd.add_argument("--url", help="database URL (default: KB_DATABASE_URL)")
        cmd.set_defaults(all=False)
    sub.choices["build"].add_argument("--source", type=Path, help="documents folder (default: data/knowledge)")
    ask = sub.choices["ask"]
    ask.add_argument("question")
    ask.add_argument("--topic")
    ask.add_argument("--limit", type=int, default=3)
    ask.add_argument("--json", action="store_true")
    for name, handler in (("build", _build), ("check", _check), ("ask", _ask), ("review", _review_list)):
        sub.choices[name].set_defaults(handler=handler)

    _review_parser(groups)
    _privacy_parsers(groups)
    return parser


def _review_parser(groups: Any) -> None:
    review = groups.add_parser("review", help="HR review queue: questions the bot could not answer")
    sub = review.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="open items (all items with --all)")
    listing.add_argument("--all", action="store_true")
    answer = sub.add_parser("answer", help="answer an item: the answer becomes a passage the bot uses at once")
    answer.add_argument("id", type=int)
    answer.add_argument("answer")
    dismiss = sub.add_parser("dismiss", help="close an item without answering it")
    dismiss.add_argument("id", type=int)
    export = sub.add_parser("export", help="export items to a dated CSV file of EXPORTS_DIR")
    export.add_argument("--status", choices=("open", "answered", "dismissed"))
    sub.add_parser("retry", help="post again the answers whose Slack delivery failed")
    handlers = {
        "list": _review_list, "answer": _review_answer, "dismiss": _review_dismiss, "export": _review_export,
        "retry": _review_retry,
    }
    for name, handler in handlers.items():
        sub.choices[name].add_argument("--url", help="knowledge-base URL (default: KB_DATABASE_URL)")
        sub.choices[name].set_defaults(handler=handler)


def _privacy_parsers(groups: Any) -> None:
    privacy = groups.add_parser("privacy", help="GDPR: erasure and retention")
    sub = privacy.add_subparsers(dest="command", required=True)
    erase = sub.add_parser("erase", help="delete everything kept about one conversation id")
    erase.add_argument("sender_id", help="the full conversation id, channel prefix included: web:…, rest:…, slack:…")
    purge = sub.add_parser(
        "purge", help="delete conversations, queue items, reports and exports older than the retention period"
    )
    purge.add_argument("--days", type=int, help="retention in days (default: RETENTION_DAYS)")
    report = groups.add_parser("report", help="HTML analytics report for HR, a dated file of EXPORTS_DIR")
    for cmd, handler in ((erase, _erase), (purge, _purge), (report, _report)):
        cmd.add_argument("--url", help="knowledge-base URL (default: KB_DATABASE_URL)")
        cmd.add_argument("--tracker-url", help="conversation store URL (default: TRACKER_DB_URL)")
        cmd.set_defaults(handler=handler)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (KnowledgeBaseUnavailable, SQLAlchemyError) as exc:
        print(f"error: database unavailable: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
