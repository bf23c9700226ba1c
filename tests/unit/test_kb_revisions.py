"""No retraining, no restart: a running KnowledgeBase follows `kb build` (SQLite and PostgreSQL)."""
from __future__ import annotations

import shutil
import threading

import pytest

from backoffice_career.knowledge import base as base_module
from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.db import make_engine
from backoffice_career.knowledge.factory import build_knowledge_base
from backoffice_career.knowledge.ingest import build
from backoffice_career.knowledge.revision import one_revision

NOTE = (
    "# Les navettes du site\n\n"
    "## Horaires des navettes\n\n"
    "Une navette gratuite relie la gare au site toutes les vingt minutes, de 7 h à 9 h 30.\n"
)
QUESTION = "à quelle heure passe la navette depuis la gare ?"


@pytest.fixture
def source(tmp_path, settings):
    folder = tmp_path / "knowledge"
    shutil.copytree(settings.knowledge_dir, folder)
    return folder


def rebuild(url, source, normalizer, topic_specs, settings):
    """`kb build` as the HR command runs it: another process, another engine."""
    engine = make_engine(url)
    try:
        build(engine, source, normalizer, topic_specs, settings.advice_dir)
    finally:
        engine.dispose()


def test_a_document_added_then_removed_is_answered_then_no_longer_cited(
    db_url, source, settings, normalizer, topic_specs
):
    kb = build_knowledge_base(db_url, source, normalizer, topic_specs)
    assert kb.extra_answer(QUESTION, settings.extra_min_score, settings.extra_min_coverage) is None

    (source / "navettes.md").write_text(NOTE, "utf-8")
    rebuild(db_url, source, normalizer, topic_specs, settings)
    hit = kb.extra_answer(QUESTION, settings.extra_min_score, settings.extra_min_coverage)
    assert hit is not None and "toutes les vingt minutes" in hit.text
    assert kb.cite([hit]) == "« Les navettes du site », section « Horaires des navettes »"

    (source / "navettes.md").unlink()
    rebuild(db_url, source, normalizer, topic_specs, settings)
    assert kb.extra_answer(QUESTION, settings.extra_min_score, settings.extra_min_coverage) is None
    assert all("navette" not in h.text for h in kb.search(QUESTION, limit=50))
    assert kb.search(topic="how_to_become")  # the guide is still there
    kb.engine.dispose()


def test_queries_during_rebuilds_always_get_an_answer(db_url, source, settings, normalizer, topic_specs):
    kb = build_knowledge_base(db_url, source, normalizer, topic_specs)
    failures, answers, stop = [], [], threading.Event()

    def ask():
        while not stop.is_set():
            try:
                hits = kb.answer("comment devenir gestionnaire de back office", "how_to_become")
                answers.append(bool(hits) and "Pour devenir gestionnaire de back-office" in hits[0].text)
            except Exception as exc:  # noqa: BLE001 - every failure is reported by the assertion below
                failures.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for round_number in range(4):  # the note comes and goes: each build replaces every file document
            note = source / "navettes.md"
            if round_number % 2 == 0:
                note.write_text(NOTE, "utf-8")
            else:
                note.unlink()
            rebuild(db_url, source, normalizer, topic_specs, settings)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert len(answers) > 10 and all(answers)
    kb.engine.dispose()


def test_an_index_read_while_a_build_commits_is_read_again(
    monkeypatch, tmp_path, source, settings, normalizer, topic_specs
):
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    kb = build_knowledge_base(url, source, normalizer, topic_specs)
    (source / "navettes.md").write_text(NOTE, "utf-8")
    real_load, calls = base_module.load_index, []

    def load_then_commit_a_build(session, revision):
        index = real_load(session, revision)
        calls.append(revision)
        if len(calls) == 1:  # a build commits between the read of the rows and the revision check
            rebuild(url, source, normalizer, topic_specs, settings)
        return index

    monkeypatch.setattr(base_module, "load_index", load_then_commit_a_build)
    hits = kb.search(QUESTION)
    assert len(calls) == 2 and calls[0] != calls[1]
    assert hits and "toutes les vingt minutes" in hits[0].text


def test_other_queries_keep_the_previous_index_while_a_new_revision_loads(
    monkeypatch, tmp_path, source, settings, normalizer, topic_specs
):
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    kb = build_knowledge_base(url, source, normalizer, topic_specs)
    assert kb.check() == 15
    (source / "navettes.md").write_text(NOTE, "utf-8")
    rebuild(url, source, normalizer, topic_specs, settings)
    loading, release = threading.Event(), threading.Event()
    real_load = base_module.load_index

    def slow_load(session, revision):
        loading.set()
        release.wait(10)
        return real_load(session, revision)

    monkeypatch.setattr(base_module, "load_index", slow_load)
    loader = threading.Thread(target=kb.check)
    loader.start()
    assert loading.wait(10)
    assert kb.check() == 15  # served at once from the previous revision, not blocked by the load
    release.set()
    loader.join()
    assert kb.check() > 15


def test_a_new_knowledge_base_waits_for_its_first_index(tmp_path, source, normalizer, topic_specs):
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    build_knowledge_base(url, source, normalizer, topic_specs)
    fresh = KnowledgeBase(make_engine(url), normalizer, topic_specs, normalizer.config)
    results = []
    threads = [threading.Thread(target=lambda: results.append(fresh.check())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [15] * 4


def test_one_reply_reads_one_revision_once_and_the_next_reply_sees_the_rebuild(
    db_url, source, settings, normalizer, topic_specs, monkeypatch
):
    kb = build_knowledge_base(db_url, source, normalizer, topic_specs)
    reads = []
    real = base_module.current_revision
    monkeypatch.setattr(base_module, "current_revision", lambda engine: reads.append(1) or real(engine))
    with one_revision():
        assert kb.extra_answer(QUESTION, settings.extra_min_score, settings.extra_min_coverage) is None
        (source / "navettes.md").write_text(NOTE, "utf-8")
        rebuild(db_url, source, normalizer, topic_specs, settings)  # commits during the reply
        assert kb.extra_answer(QUESTION, settings.extra_min_score, settings.extra_min_coverage) is None
        assert all("navette" not in h.text for h in kb.search(QUESTION, limit=50))
    assert len(reads) == 1
    hit = kb.extra_answer(QUESTION, settings.extra_min_score, settings.extra_min_coverage)
    assert hit is not None and "toutes les vingt minutes" in hit.text
    assert len(reads) == 2
    kb.engine.dispose()
