"""Ranked retrieval on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.db import make_engine
from backoffice_career.knowledge.errors import KnowledgeBaseUnavailable
from backoffice_career.knowledge.factory import build_knowledge_base
from backoffice_career.knowledge.ingest import build

# For each topic, the passage that must rank first (a fragment of its text).
FIRST_PASSAGE = {
    "how_to_become": "Pour devenir gestionnaire de back-office, vous devrez",
    "experience_needed": "nombreuses années d’expérience",
    "training_vs_experience": "formation formelle en administration de bureau",
    "back_office_definition": "Le terme back office",
    "duties": "équilibrent généralement les livres",
    "company_size": "Dans les petites entreprises",
    "temp_work_entry": "services temporaires",
    "on_the_job_training": "possibilités de formation",
    "office_software": "traitement de texte et en tableur",
    "web_design_dtp": "conception Web",
    "courses": "rédaction commerciale",
    "training_new_workers": "nouveaux travailleurs",
    "business_studies": "administration des affaires",
}


@pytest.mark.parametrize("topic, fragment", sorted(FIRST_PASSAGE.items()))
def test_expected_passage_ranks_first_for_each_topic(kb, topic, fragment):
    hits = kb.search(topic=topic)
    assert hits, topic
    assert fragment in hits[0].text
    assert hits[0].score > 0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(
    "question, fragment",
    [
        ("quelles compétences en tableur et traitement de texte ?", "traitement de texte et en tableur"),
        ("faut-il savoir faire de la PAO ?", "publication assistée par ordinateur"),
        ("où suivre des cours de comptabilité", "rédaction commerciale"),
        ("les services temporaires pour commencer", "services temporaires"),
    ],
)
def test_words_alone_find_the_passage(kb, question, fragment):
    hits = kb.search(question)
    assert hits and fragment in hits[0].text


def test_words_of_two_topics_get_both_passages(kb):
    # "diplôme" stands for formal training; "administration des affaires" for business studies.
    texts = [h.text for h in kb.answer("un diplome en administration des affaires", None)]
    assert any("administration des affaires" in t for t in texts)
    assert any("formation formelle" in t for t in texts)


def test_front_office_question_gets_definition_and_difference(kb):
    texts = " ".join(h.text for h in kb.answer("c'est quoi la différence avec le front office", None))
    assert "Le terme back office" in texts and "cadres du front-office" in texts


def test_the_users_words_reorder_passages_within_a_topic(kb):
    plain = kb.search(topic="experience_needed")
    assert "nombreuses années" in plain[0].text
    supervision = kb.search("faut-il une expérience de supervision ?", topic="experience_needed")
    assert "supervision substantielle" in supervision[0].text


@pytest.mark.parametrize("question", ["quel salaire pour ce poste ?", "recette de la tarte aux pommes", "", "?!"])
def test_unrelated_words_find_nothing(kb, question):
    assert kb.search(question) == []


def test_answer_combines_at_most_three_distinct_passages_in_reading_order(kb):
    hits = kb.answer("comment devenir gestionnaire de back office", "how_to_become")
    assert 2 <= len(hits) <= 3
    assert len({h.text for h in hits}) == len(hits)
    assert [h.position for h in hits] == sorted(h.position for h in hits)
    assert "Pour devenir gestionnaire de back-office" in hits[0].text


def test_answer_keeps_only_close_runners_up(kb):
    hits = kb.answer("", "training_vs_experience")
    assert len(hits) == 1


def test_citation(kb):
    hits = kb.answer("", "how_to_become")
    assert kb.cite(hits) == "« Comment devenir gestionnaire de back office ? », § 1, 3"


def test_topic_for_intent(kb):
    assert kb.topic_for_intent("ask_office_software") == "office_software"
    assert kb.topic_for_intent("greet") is None
    assert kb.topic_for_intent(None) is None


def test_a_rebuild_is_seen_without_a_new_knowledge_base(tmp_path, settings, normalizer, topic_specs):
    url = f"sqlite:///{tmp_path / 'kb.sqlite'}"
    kb = build_knowledge_base(url, settings.knowledge_dir, normalizer, topic_specs)
    assert kb.search("télétravail") == []
    extra = tmp_path / "docs"
    extra.mkdir()
    (extra / "guide.txt").write_text((settings.knowledge_dir / "gestionnaire-back-office.fr.txt").read_text("utf-8"))
    (extra / "teletravail.txt").write_text("Le télétravail est possible deux jours par semaine.", "utf-8")
    build(make_engine(url), extra, normalizer, topic_specs)
    hits = kb.search("télétravail")
    assert hits and "deux jours" in hits[0].text


def test_empty_knowledge_base_is_reported(tmp_path, normalizer, topic_specs):
    kb = KnowledgeBase(make_engine(f"sqlite:///{tmp_path / 'none.sqlite'}"), normalizer, topic_specs, normalizer.config)
    with pytest.raises(KnowledgeBaseUnavailable):
        kb.check()


def test_unreachable_database_is_reported(normalizer, topic_specs):
    engine = make_engine("postgresql://postgres@127.0.0.1:1/nothing")
    kb = KnowledgeBase(engine, normalizer, topic_specs, normalizer.config)
    with pytest.raises(KnowledgeBaseUnavailable):
        kb.search("formation")


def test_same_results_on_postgresql(postgres_url, kb, settings, normalizer, topic_specs):
    pg = build_knowledge_base(postgres_url, settings.knowledge_dir, normalizer, topic_specs)
    assert pg.check() == kb.check() == 15
    for topic in FIRST_PASSAGE:
        assert [h.text for h in pg.search(topic=topic)] == [h.text for h in kb.search(topic=topic)]
    question = "quelles compétences en tableur ?"
    assert [(h.text, h.score) for h in pg.search(question)] == [(h.text, h.score) for h in kb.search(question)]
    pg.engine.dispose()


def test_user_text_reaches_the_database_only_as_bound_parameters(fresh_kb):
    from sqlalchemy import event, inspect

    hostile = "'; DROP TABLE kb_passage; -- \" OR 1=1 /* ../../etc/passwd"
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, repr(parameters)))

    event.listen(fresh_kb.engine, "before_cursor_execute", record)
    try:
        fresh_kb.search(hostile)
        item_id = fresh_kb.record_unanswered(hostile, hostile, "rest", "out_of_scope", 0.2)
        fresh_kb.answer_review_item(item_id, hostile)
        fresh_kb.extra_answer(hostile, 0.0, 0.0)
    finally:
        event.remove(fresh_kb.engine, "before_cursor_execute", record)
    assert statements
    assert not [s for s, _ in statements if "DROP" in s or "passwd" in s]
    assert any("DROP TABLE" in p for _, p in statements)
    assert "kb_passage" in inspect(fresh_kb.engine).get_table_names()
    assert [i.question for i in fresh_kb.review_items() if i.id == item_id] == [hostile]
