"""One ranking over every document: the intent's topic is a boost, not a filter."""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice_career.knowledge import ranking
from backoffice_career.knowledge.db import Passage
from backoffice_career.knowledge.index import BM25_B, BM25_K1
from backoffice_career.settings import ROOT
from tests.helpers.documents import guide_and_note

# A second document, written for these tests (the calibration used other notes: tests/data/*dev*).
NOTE = """# Le parcours de formation du service comptable

## Le logiciel Cegid

La formation au logiciel Cegid dure une journée ; elle a lieu le premier jeudi de chaque mois, salle Horizon.

## Le tutorat

Chaque stagiaire du service comptable est suivi par un tuteur désigné par la cheffe comptable.
"""


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory, settings, normalizer, topic_specs):
    yield from guide_and_note(tmp_path_factory, settings, normalizer, topic_specs, "parcours-comptable.md", NOTE)


def test_another_document_that_answers_the_words_much_better_wins_over_the_topic(two_documents):
    hits = two_documents.answer("quand a lieu la formation au logiciel Cegid ?", "on_the_job_training")
    assert hits and "premier jeudi de chaque mois" in hits[0].text
    source = "« Le parcours de formation du service comptable », section « Le logiciel Cegid »"
    assert two_documents.cite(hits) == source


@pytest.mark.parametrize(
    "question, topic, fragment",
    [
        ("faut-il profiter des formations proposées pendant son emploi ?", "on_the_job_training",
         "possibilités de formation"),
        ("quels logiciels faut-il maîtriser ?", "office_software", "traitement de texte et en tableur"),
        ("", "training_new_workers", "nouveaux travailleurs"),
    ],
)
def test_the_topic_still_wins_when_the_other_document_is_not_clearly_better(two_documents, question, topic, fragment):
    hits = two_documents.answer(question, topic)
    assert hits and fragment in hits[0].text


def test_an_answer_quotes_one_document(two_documents):
    for question, topic in [("formation au logiciel Cegid", "office_software"), ("formation en entreprise", None)]:
        assert len({h.document for h in two_documents.answer(question, topic)}) == 1


def test_no_topic_questions_rank_every_document_and_keep_the_honest_fallback(two_documents, settings):
    def extra(text):
        return two_documents.extra_answer(text, settings.extra_min_score, settings.extra_min_coverage)

    hit = extra("qui choisit le tuteur d'un stagiaire ?")
    assert hit is not None and "tuteur désigné" in hit.text
    for text in ("y a-t-il une piscine ?", "combien coûte la cantine ?", "la mutuelle est-elle obligatoire ?"):
        assert extra(text) is None, text


def test_a_passage_of_another_topic_needs_most_of_the_words_to_compete(two_documents, monkeypatch):
    question = "quand a lieu la formation au logiciel Cegid ?"
    assert "premier jeudi" in two_documents.search(question, "on_the_job_training")[0].text
    monkeypatch.setattr(ranking, "RIVAL_MIN_COVERAGE", 1.01)  # no rival can compete any more
    assert "premier jeudi" not in two_documents.search(question, "on_the_job_training")[0].text


def test_scores_are_okapi_bm25_with_lucene_idf(two_documents, normalizer):
    index = two_documents._current_index()
    terms = normalizer.lemmas("formation au logiciel Cegid")
    with Session(two_documents.engine) as session:
        stored = dict(session.execute(select(Passage.id, Passage.lemmas)).all())
    docs = [Counter(stored[p.passage_id].split()) for p in index.passages]
    n, avg = len(docs), sum(sum(d.values()) for d in docs) / len(docs)
    expected = []
    for doc in docs:
        length, score = sum(doc.values()), 0.0
        for term in terms:
            df = sum(1 for d in docs if term in d)
            if doc[term]:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                score += idf * doc[term] * (BM25_K1 + 1) / (doc[term] + BM25_K1 * (1 - BM25_B + BM25_B * length / avg))
        expected.append(score)
    assert index.bm25(terms).tolist() == pytest.approx(expected, rel=1e-9)


def test_a_sure_topic_gives_way_to_a_document_holding_every_concept_of_the_question(two_documents, normalizer):
    """The rival (replies.topic_reply, a sure intent): the note holds tutor, appoint and trainee (a family of the
    vocabulary: "stagiaire" is the guide's "nouveaux travailleurs"); no passage of the guide holds them all."""
    question = "qui désigne le tuteur des stagiaires ?"
    guide_answer = two_documents.answer("", "training_new_workers")  # the topic's passages: the guide's
    assert guide_answer and guide_answer[0].document.startswith("gestionnaire")
    rival = two_documents.rival(normalizer.lemmas(question), guide_answer)
    assert rival is not None and "tuteur désigné" in rival.text


@pytest.mark.parametrize("question, topic", [
    ("quels logiciels faut-il maîtriser ?", "office_software"),  # the note holds "logiciel", not "maîtriser"
    ("Cegid ?", "office_software"),  # one concept: the topic's to answer
    ("formation Cegid ?", "office_software"),  # two concepts: still the topic's
    ("faut-il profiter des formations proposées pendant son emploi ?", "on_the_job_training"),
])
def test_no_rival_when_the_other_document_misses_a_concept_or_the_guide_holds_them_all(
    two_documents, normalizer, question, topic
):
    assert two_documents.rival(normalizer.lemmas(question), two_documents.answer(question, topic)) is None


async def test_the_bot_answers_from_the_rival_document_under_a_sure_topic_intent(two_documents, monkeypatch):
    """Through the action: a sure guide intent whose ranking keeps the guide (no passage of another topic may
    compete in it here), yet the note holds every concept of the question: the note answers."""
    from actions.actions import ActionAnswerTopic
    from tests.helpers.trackers import make_tracker, run

    monkeypatch.setattr(ranking, "RIVAL_MIN_COVERAGE", 1.01)

    async def reply():
        tracker = make_tracker("qui désigne le tuteur des stagiaires ?", "ask_training_new_workers", 0.97)
        dispatcher, _ = await run(ActionAnswerTopic(lambda: two_documents), tracker)
        [message] = dispatcher.messages
        return message

    message = await reply()
    assert "tuteur désigné" in message["answer"]
    assert message["source"] == "« Le parcours de formation du service comptable », section « Le tutorat »"
    monkeypatch.setattr(type(two_documents), "rival", lambda self, lemmas, answer: None)
    assert "tuteur" not in (await reply())["answer"]  # without the rival, the guide's topic answers


def test_a_derived_word_holds_the_concept_of_its_stem(two_documents, normalizer, monkeypatch):
    """"désignation" is no passage's lemma; the note's "désigné" (lemma "désigner") has its Snowball stem, so the
    note still holds every concept of the question and answers it under the guide's sure topic."""
    from backoffice_career.knowledge.index import Index

    question = "qui fait la désignation du tuteur des stagiaires ?"
    guide_answer = two_documents.answer("", "training_new_workers")
    rival = two_documents.rival(normalizer.lemmas(question), guide_answer)
    assert rival is not None and "tuteur désigné" in rival.text
    monkeypatch.setattr(Index, "siblings", lambda self, lemma: [])
    assert two_documents.rival(normalizer.lemmas(question), guide_answer) is None


def test_siblings_share_a_long_enough_stem(two_documents):
    index = two_documents._current_index()
    assert index.siblings("designation") == ["designer"]
    assert index.siblings("designer") == []  # itself only
    assert index.siblings("form") == []  # too short a stem to say anything


PARAGRAPH_NOTE = """# Vie pratique du service paie

## Les congés

Les demandes se font dans l'outil Plania, au plus tard six semaines avant le départ. \
La responsable répond sous huit jours.

## Le courrier

Le courrier arrive chaque matin à l'accueil.
"""


@pytest.fixture(scope="module")
def paragraph_note(tmp_path_factory, settings, normalizer, topic_specs):
    yield from guide_and_note(tmp_path_factory, settings, normalizer, topic_specs, "vie-pratique-paie.md",
                              PARAGRAPH_NOTE)


def test_a_note_is_answered_with_its_whole_paragraph(paragraph_note, settings):
    # The words are in the second sentence; the answer is in the first: both are given, one section cited.
    hit = paragraph_note.extra_answer("sous combien de jours la responsable répond aux demandes de congés ?",
                                      settings.extra_min_score, settings.extra_min_coverage)
    assert hit is not None
    assert "six semaines avant le départ" in hit.text and "sous huit jours" in hit.text
    assert "courrier" not in hit.text
    assert paragraph_note.cite([hit]) == "« Vie pratique du service paie », section « Les congés »"


def test_a_note_passage_holds_the_words_of_its_paragraph(paragraph_note):
    index = paragraph_note._current_index()
    query = paragraph_note.query("Plania répond sous huit jours", index)
    coverage = index.concept_coverage(query.concepts)
    rows = {p.text.split()[0]: row for row, p in enumerate(index.passages) if p.title == "Vie pratique du service paie"}
    assert coverage[rows["Les"]] == coverage[rows["La"]] == 1.0  # Plania is in one sentence, huit in the other
    assert coverage[rows["Le"]] == 0.0


def test_a_guide_passage_is_never_widened(paragraph_note):
    index = paragraph_note._current_index()
    for passage in index.passages:
        if passage.topics:
            assert index.paragraph_rows(passage.passage_id) == [index.row_of[passage.passage_id]]


def _note_rows(kb, title):
    index = kb._current_index()
    rows = {}
    for row, passage in enumerate(index.passages):
        if passage.title == title:
            rows.setdefault(passage.section, row)
    return index, rows


def test_a_document_section_answers_only_when_it_stands_out_from_the_others(paragraph_note):
    index, rows = _note_rows(paragraph_note, "Vie pratique du service paie")
    leave, mail = rows["Les congés"], rows["Le courrier"]
    scores = np.zeros(index.size)
    scores[leave], scores[mail] = 0.9, 0.8  # two sections about as close: neither is clearly the answer
    assert ranking.document_match(scores, index, min_score=0.65, min_margin=0.2) is None
    scores[mail] = 0.6
    hit = ranking.document_match(scores, index, min_score=0.65, min_margin=0.2)
    assert hit is not None and hit.section == "Les congés"
    scores[leave] = 0.62  # stands out, but too far from the question
    assert ranking.document_match(scores, index, min_score=0.65, min_margin=0.0) is None


def test_the_guide_never_answers_as_a_document(paragraph_note):
    index, _ = _note_rows(paragraph_note, "Vie pratique du service paie")
    scores = np.where(index.tagged(), 5.0, 0.0)  # the guide's passages score far higher
    assert ranking.document_match(scores, index, min_score=0.65, min_margin=0.2) is None


def test_a_paraphrase_finds_the_section_of_a_note(paragraph_note, settings):
    hit = paragraph_note.document_answer("Je pars en vacances cet été, je dois prévenir combien de temps avant ?",
                                         settings.second_chance_lexical_weight, settings.document_min_score,
                                         settings.document_min_margin)
    assert hit is not None and hit.section == "Les congés" and "six semaines avant le départ" in hit.text
    for text in ("Quel temps fera-t-il demain à Nantes ?", "Le parking est-il gratuit ?"):
        assert paragraph_note.document_answer(text, settings.second_chance_lexical_weight,
                                              settings.document_min_score, settings.document_min_margin) is None, text


def test_an_out_of_scope_question_is_answered_only_by_a_section_that_stands_out(paragraph_note):
    from backoffice_career import replies

    def reply(text):
        return replies.unknown_reply(paragraph_note, replies.Turn(text, "unit", "out_of_scope", 0.99))

    answered = reply("Je pars en vacances cet été, je dois prévenir combien de temps avant ?")
    assert answered.response == "utter_kb_answer" and "six semaines avant le départ" in answered.values["answer"]
    for text in ("Quel temps fera-t-il demain à Nantes ?", "Peux-tu m'écrire un poème sur l'automne ?"):
        assert reply(text).response == "utter_no_answer", text


@pytest.fixture(scope="module")
def welcome_note(tmp_path_factory, settings, normalizer, topic_specs):
    """The development note "Accueil des nouveaux arrivants" (tests/data/hr_note.md) with the guide."""
    text = (ROOT / "tests" / "data" / "hr_note.md").read_text("utf-8")
    yield from guide_and_note(tmp_path_factory, settings, normalizer, topic_specs, "hr_note.md", text)


def test_an_out_of_scope_question_near_several_sections_of_a_note_stays_honest(welcome_note):
    # Close in meaning to "La formation aux logiciels" (0.9 and more), and to other sections: none stands out.
    from backoffice_career import replies

    text = "Quel logiciel de paie est le plus utilisé en France ?"
    reply = replies.unknown_reply(welcome_note, replies.Turn(text, "unit", "out_of_scope", 0.99))
    assert reply.response == "utter_no_answer"
