"""The vocabulary of the trade (data/kb/vocabulary.yml) expands questions to the guide's words."""
from __future__ import annotations

from pathlib import Path

from backoffice_career.knowledge.vocabulary import Vocabulary
from backoffice_career.settings import ROOT

VOCABULARY = ROOT / "data" / "kb" / "vocabulary.yml"
WORKPLACE = ROOT / "data" / "kb" / "workplace.yml"


def test_a_variant_brings_its_canonical_form(normalizer):
    vocabulary = Vocabulary.load(VOCABULARY, normalizer)
    expansion = vocabulary.expand(normalizer.lemmas("Dans une petite boîte, le poste ressemble à quoi ?"))
    assert "petite entreprise" in expansion.texts
    assert set(normalizer.lemmas("petite entreprise")) <= set(expansion.lemmas)


def test_a_question_already_in_the_guide_words_is_not_expanded(normalizer):
    vocabulary = Vocabulary.load(VOCABULARY, normalizer)
    assert "en ligne" not in vocabulary.expand(normalizer.lemmas("les cours en ligne")).texts


def test_hr_can_add_a_family(tmp_path: Path, normalizer):
    path = tmp_path / "vocabulary.yml"
    path.write_text("families:\n  canteen:\n    canonical: restaurant d'entreprise\n    variants: [cantine, self]\n",
                    encoding="utf-8")
    expansion = Vocabulary.load(path, normalizer).expand(normalizer.lemmas("la cantine ouvre à quelle heure ?"))
    assert expansion.texts == ["restaurant d'entreprise"]


def test_a_missing_or_empty_file_expands_nothing(tmp_path: Path, normalizer):
    assert Vocabulary.load(tmp_path / "none.yml", normalizer).expand(["pme"]).lemmas == []
    (tmp_path / "empty.yml").write_text("families:\n", encoding="utf-8")
    assert Vocabulary.load(tmp_path / "empty.yml", normalizer).expand(["pme"]).lemmas == []


async def test_expansion_reaches_the_answer(fresh_kb):
    # "à distance" is the guide's "en ligne": the courses passage.
    hit = fresh_kb.second_chance("les cours existent à distance ?", None, 0.0, 0.4, 0.1)
    assert hit is not None and "en ligne" in hit.text


def test_a_word_inside_a_longer_variant_does_not_bring_its_own_family(normalizer):
    # "manager" (to supervise) inside "office manager" (the job title).
    vocabulary = Vocabulary.load(VOCABULARY, normalizer)
    assert vocabulary.expand(normalizer.lemmas("comment devenir office manager")).texts == [
        "gestionnaire de back-office"
    ]


def test_the_faq_batch_and_the_bot_expand_a_question_alike(kb, normalizer):
    """The FAQ batch passes lemmas it computed in batches; the bot passes the text: same expansion, same answer."""
    from backoffice_career.knowledge.answer import answer_topic

    questions = {
        "Comment devenir gestionnaire de back-office ?": "ask_how_to_become",
        "Dans une petite boîte, le poste d'office manager ressemble à quoi ?": "ask_company_size",
    }
    for text, intent in questions.items():
        lemmas = normalizer.lemmas(text)
        assert kb.query_of(lemmas).terms == kb.query(text).terms
        by_text = answer_topic(kb, text, intent)
        by_lemmas = answer_topic(kb, text, intent, lemmas=lemmas)
        assert by_text.hits and [h.passage_id for h in by_lemmas.hits] == [h.passage_id for h in by_text.hits], text


def test_also_forms_are_added_with_the_canonical_and_even_when_the_canonical_is_there(normalizer):
    """"diriger une équipe" finds the guide's "superviser" and its noun "supervision"; "superviser" finds the noun."""
    vocabulary = Vocabulary.load(VOCABULARY, normalizer)
    by_variant = vocabulary.expand(normalizer.lemmas("j'ai déjà dirigé une équipe"))
    assert {"superviser", "supervision"} <= set(by_variant.lemmas)
    by_canonical = vocabulary.expand(normalizer.lemmas("faut-il savoir superviser des collègues ?"))
    assert by_canonical.lemmas == ["supervision"] and by_canonical.texts == ["supervision"]


def test_a_word_inside_the_job_title_written_as_the_guide_writes_it_does_not_expand(normalizer):
    """"gestionnaire" (a form of "manager", a variant of "superviser") inside "gestionnaire de back-office"."""
    vocabulary = Vocabulary.load(VOCABULARY, normalizer)
    expansion = vocabulary.expand(normalizer.lemmas("Comment devenir gestionnaire de back-office ?"))
    assert "superviser" not in expansion.lemmas and "supervision" not in expansion.lemmas


def test_a_family_counts_once_in_the_coverage_of_a_question(normalizer):
    """"dirigé une équipe" is one concept, held by a passage that says "superviser" or "supervision": the
    expansion never dilutes the share of the question a passage holds."""
    vocabulary = Vocabulary.load(VOCABULARY, normalizer)
    lemmas = normalizer.lemmas("j'ai déjà dirigé une équipe de stagiaires")
    concepts = vocabulary.expand(lemmas).concepts(lemmas)
    supervise = next(c for c in concepts if ("supervision",) in c)
    assert {("diriger", "equipe"), ("superviser",)} <= supervise
    assert not any("diriger" in form for c in concepts if c is not supervise for form in c)


def test_the_workplace_words_expand_for_hr_documents_and_never_reach_the_nlu(kb, normalizer):
    """data/kb/workplace.yml: "ticket resto" finds a note's "titre-restaurant"; the NLU variants come from
    vocabulary.yml alone, and no variant is in two families."""
    assert "titre-restaurant" in kb.query("combien vaut un ticket resto ?").text
    assert "télétravail" in kb.query("je peux bosser à la maison le lundi ?").text
    generated = (ROOT / "data" / "nlu" / "generated_vocabulary.yml").read_text("utf-8")
    assert "titre-restaurant" not in generated and "télétravail" not in generated
    owners: dict[tuple[str, ...], str] = {}
    for family in kb.vocabulary.families:
        for member in family.members:
            assert owners.setdefault(member, family.name) == family.name, (member, family.name, owners[member])


def test_a_form_of_several_words_is_held_only_whole(kb):
    """"travail à distance" (a form of the telework family) is not held by a passage that says "travail" alone."""
    index = kb._current_index()
    travail_alone = (index.coverage(["travail"]) == 1) & (index.coverage(["distance"]) == 0)
    assert travail_alone.any()
    assert not index.concept_coverage([frozenset({("travail", "distance")})])[travail_alone].any()
    assert index.concept_coverage([frozenset({("travail", "distance"), ("travail",)})])[travail_alone].all()


def test_a_question_on_what_varies_between_companies_gets_the_guides_sentence_on_it(kb):
    """Family 'vary_by_company' (retrieval only): "pareil partout", "ça dépend de la boîte" find the guide's
    "varient selon l'entreprise", not the small/large company passage (without the family: none of the three)."""
    for text in ("les exigences pour ce job, ça dépend de la boîte ?",
                 "le travail d'un office manager, c'est pareil partout ?",
                 "les missions dépendent de l'entreprise ?",
                 # Said as a change from one company to the next (2026-12-02): "change d'une entreprise", "diffère".
                 "les critères de recrutement changent d'une entreprise à l'autre ?",
                 "le rôle diffère selon l'entreprise ?",
                 "chaque employeur a ses propres exigences pour ce poste ?"):
        hits = kb.answer(text, "company_size")
        assert hits and "varient selon l’entreprise" in hits[0].text, (text, hits[:1])


def test_management_finds_the_guides_supervision(kb):
    """Family 'management' (retrieval only): the noun finds the guide's "supervision" sentence."""
    hits = kb.answer("une expérience en management est-elle attendue ?", "experience_needed")
    assert any("supervision" in h.text for h in hits)


def test_a_variant_said_with_the_canonical_joins_its_concept(normalizer):
    """"poser mes congés" holds the canonical "congés" and the variant "poser … congés": "poser" is part of the
    leave concept, not a concept of its own that no note's "demandes de congés" holds."""
    vocabulary = Vocabulary.load(WORKPLACE, normalizer)
    lemmas = normalizer.lemmas("comment poser mes congés ?")
    concepts = vocabulary.expand(lemmas).concepts(lemmas)
    assert concepts == [frozenset({("conge",), ("poser", "conge"), ("absence",)})]


def test_the_verb_to_manage_is_supervision_and_the_title_a_manager(normalizer):
    """kb.yml synonyms: a word key wins over its lemma. "managé", "manage" (the verb) share the lemma "manager"
    with the job title; the verb means supervising people."""
    assert normalizer.lemmas("j'ai jamais managé personne") == ["jamais", "superviser", "personne"]
    assert "superviser" in normalizer.lemmas("le responsable manage des managers")
    assert "gestionnaire" in normalizer.lemmas("le responsable manage des managers")
    assert normalizer.lemmas("devenir office manager") == ["devenir", "office", "gestionnaire"]


def test_sms_function_words_are_not_what_a_question_is_about(kb):
    """"pr" has the lemma "pour", "l admin" and "qu employé" lose their apostrophe: none is a concept of the question
    (data/kb/kb.yml, generic_words), so the coverage of an SMS question counts only its subject."""
    for text in ("des cours de compta pr le back office ?", "comment entrer ds l admin", "en tant qu employé"):
        concepts = {form for concept in kb.query(text).concepts for form in concept}
        assert not concepts & {("pour",), ("l",), ("qu",), ("ds",)}, (text, concepts)
    accounting = kb.query("des cours de compta pr le back office ?")
    assert len(accounting.concepts) == 2  # the courses and the accounting
