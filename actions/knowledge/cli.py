"""Command line for HR and debugging: python -m actions.knowledge.cli kb build|ask|check|review."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Optional

from actions.knowledge.db import make_engine
from actions.knowledge.factory import build_normalizer, open_knowledge_base
from actions.knowledge.ingest import IngestError, build
from actions.knowledge.search import KnowledgeBaseUnavailable
from actions.knowledge.text import load_topics
from actions.settings import load_settings


def _build(args) -> int:
    settings = load_settings()
    normalizer = build_normalizer(settings)
    topics = load_topics(settings.topics_file, normalizer)
    directory = args.source or settings.knowledge_dir
    try:
        report = build(make_engine(args.url or settings.kb_database_url), directory, normalizer, topics)
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"knowledge base built: {report.documents} document(s), {report.passages} passages, {report.topics} topics")
    if report.uncovered_topics:
        print(f"error: topics with no passage: {', '.join(report.uncovered_topics)}", file=sys.stderr)
        return 2
    return 0


def _check(args) -> int:
    try:
        count = open_knowledge_base(url=args.url).check()
    except KnowledgeBaseUnavailable as exc:
        print(f"error: knowledge base unavailable: {exc}. Run `make kb`.", file=sys.stderr)
        return 2
    print(f"knowledge base ok: {count} passages")
    return 0


def _ask(args) -> int:
    kb = open_knowledge_base(url=args.url)
    try:
        hits = kb.search(args.question, topic=args.topic, limit=args.limit)
    except KnowledgeBaseUnavailable as exc:
        print(f"error: knowledge base unavailable: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("(no passage)")
    for rank, hit in enumerate(hits, start=1):
        print(f"{rank}. [{hit.score:.2f}] {kb.cite([hit])} topics={','.join(hit.topics)}\n   {hit.text}")
    return 0


def _review(args) -> int:
    items = open_knowledge_base(url=args.url).open_review_items()
    for item in items:
        print(f"#{item.id} {item.asked_at:%Y-%m-%d %H:%M} [{item.channel}] {item.intent} {item.confidence}: {item.question}")
    print(f"{len(items)} open item(s)")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.knowledge.cli")
    groups = parser.add_subparsers(dest="group", required=True)
    kb = groups.add_parser("kb", help="knowledge base")
    sub = kb.add_subparsers(dest="command", required=True)
    for name in ("build", "check", "ask", "review"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--url", help="database URL (default: KB_DATABASE_URL)")
    sub.choices["build"].add_argument("--source", type=Path, help="documents folder (default: data/knowledge)")
    ask = sub.choices["ask"]
    ask.add_argument("question")
    ask.add_argument("--topic")
    ask.add_argument("--limit", type=int, default=3)
    ask.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    return {"build": _build, "check": _check, "ask": _ask, "review": _review}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
