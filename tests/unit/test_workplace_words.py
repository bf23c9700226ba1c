"""The workplace's words (data/kb/workplace.yml) and derived words (Snowball stems) let an HR note answer
questions worded unlike it; a question the note cannot answer still gets nothing."""
from __future__ import annotations

import pytest

from backoffice_career.knowledge.index import Index
from backoffice_career.knowledge.vocabulary import Vocabulary
from tests.helpers.documents import guide_and_note

# Written for these tests (the families were calibrated on the development notes, tests/data/*dev*).
NOTE = """# Règles pratiques du service paie

## Congés

Les congés sont posés dans l'outil Horizon et nécessitent l'accord préalable du responsable.

## Accès au site

Le badge est remis par l'accueil du bâtiment A dès le premier matin.

## Mutuelle

L'entreprise prend en charge la mutuelle pour une valeur de 30 euros par mois.

## Assistance

Pour tout problème informatique, appelez le support au 5500.

## Réunions

La présence est obligatoire à la réunion d'équipe du jeudi.
"""


@pytest.fixture(scope="module")
def note_kb(tmp_path_factory, settings, normalizer, topic_specs):
    yield from guide_and_note(tmp_path_factory, settings, normalizer, topic_specs, "regles-paie.md", NOTE)


def answer(kb, text, settings):
    return kb.extra_answer(text, settings.extra_min_score, settings.extra_min_coverage)


@pytest.mark.parametrize("question, family, section", [
    ("faut-il une permission pour partir en vacances ?", "permission", "Congés"),
    ("on récupère sa carte d'accès où dans les locaux ?", "premises", "Accès au site"),
    ("combien vaut la mutuelle ?", "amount", "Mutuelle"),
    ("mon ordi plante, je contacte qui ?", "contact", "Assistance"),
])
def test_a_workplace_family_lets_the_note_answer(note_kb, settings, question, family, section, monkeypatch):
    hit = answer(note_kb, question, settings)
    assert hit is not None and hit.section == section, (question, hit)
    without = Vocabulary([f for f in note_kb.vocabulary.families if f.name != family])
    monkeypatch.setattr(note_kb, "_vocabulary", without)
    assert answer(note_kb, question, settings) is None  # the family is what answers


def test_a_derived_word_counts_as_its_stem(note_kb, settings, monkeypatch):
    """"obligatoirement" is no passage's word; "obligatoire" shares its stem."""
    question = "c'est obligatoirement le jeudi ?"
    hit = answer(note_kb, question, settings)
    assert hit is not None and hit.section == "Réunions"
    monkeypatch.setattr(Index, "siblings", lambda self, lemma: [])
    assert answer(note_kb, question, settings) is None


@pytest.mark.parametrize("question", [
    "y a-t-il un parking dans les locaux ?",
    "combien vaut une action de l'entreprise ?",
    "sms: c koi le tarif de la cantine stp",
])
def test_a_question_the_note_cannot_answer_gets_nothing(note_kb, settings, question):
    assert answer(note_kb, question, settings) is None
