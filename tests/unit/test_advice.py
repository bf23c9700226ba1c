"""Advice rules: which steps each profile gets, in which order, with which sources."""
from __future__ import annotations

import pytest

from backoffice_career.knowledge.db import make_engine
from backoffice_career.knowledge.ingest import build
from backoffice_career.profile.advice import AdviceRuleError, applies, read_rules

ALL_STEPS = {
    "office_experience", "experience_unknown", "experience_over_diploma", "word_processing", "spreadsheet",
    "training_at_work", "supervise_newcomers", "business_writing", "basic_accounting", "web_and_dtp",
    "business_studies", "large_company_role", "small_company_role",
}
EVERY_SKILL = ["traitement_de_texte", "tableur", "conception_web", "pao", "comptabilite", "redaction"]


def profile(**overrides):
    base = {
        "experience_years": 2.0, "supervised": "non", "situation": "employe_bureau",
        "target_company": "petite", "skills": [], "education": "bac",
    }
    base.update(overrides)
    return base


# (name, profile, steps it must get, steps it must not get)
CASES = [
    ("beginner temp aiming at a large group",
     profile(experience_years=0.5, situation="interimaire", target_company="grande", skills=["traitement_de_texte"]),
     ["office_experience", "spreadsheet", "training_at_work", "supervise_newcomers", "business_studies",
      "large_company_role"],
     ["word_processing", "small_company_role", "experience_unknown"]),
    ("8 years, trained temps, masters spreadsheets and word processing",
     profile(experience_years=8, supervised="oui", skills=["tableur", "traitement_de_texte"]),
     ["small_company_role", "training_at_work"],
     ["office_experience", "spreadsheet", "word_processing", "supervise_newcomers", "business_studies"]),
    ("student with a business degree aiming at a large company",
     profile(experience_years=0, situation="etudiant", target_company="grande", education="commerce"),
     ["office_experience", "supervise_newcomers", "large_company_role"],
     ["business_studies", "experience_over_diploma", "training_at_work"]),
    ("job seeker without diploma, small company",
     profile(experience_years=1, situation="demandeur_emploi", skills=["tableur"]),
     ["office_experience", "experience_over_diploma", "word_processing", "small_company_role"],
     ["spreadsheet", "training_at_work", "large_company_role", "business_studies"]),
    ("career changer who knows everything but web and DTP",
     profile(experience_years=3, situation="reconversion",
             skills=["traitement_de_texte", "tableur", "comptabilite", "redaction"]),
     ["office_experience", "web_and_dtp"],
     ["business_writing", "basic_accounting", "word_processing", "spreadsheet", "training_at_work"]),
    ("every skill, experienced supervisor, business degree, small company",
     profile(experience_years=12, supervised="oui", skills=EVERY_SKILL, education="commerce"),
     ["training_at_work", "small_company_role"],
     ["office_experience", "experience_over_diploma", "word_processing", "spreadsheet", "supervise_newcomers",
      "business_writing", "basic_accounting", "web_and_dtp", "business_studies"]),
    ("skipped experience and company size",
     profile(experience_years="inconnu", target_company="inconnu", supervised="inconnu"),
     ["experience_unknown", "supervise_newcomers"],
     ["office_experience", "large_company_role", "small_company_role", "business_studies"]),
    ("bac+2 temp, 5 years exactly, aiming at a large group",
     profile(experience_years=5, situation="interimaire", target_company="grande", education="bac_plus_2",
             skills=["pao"]),
     ["experience_over_diploma", "training_at_work", "business_studies", "large_company_role", "web_and_dtp"],
     ["office_experience", "small_company_role"]),
    ("no skills at all",
     profile(skills=[]),
     ["word_processing", "spreadsheet", "business_writing", "basic_accounting", "web_and_dtp"],
     []),
]


@pytest.mark.parametrize("name, person, must, must_not", CASES, ids=[c[0] for c in CASES])
def test_plan_steps_for_profile(kb, name, person, must, must_not):
    keys = [s.key for s in kb.plan(person)]
    for key in must:
        assert key in keys, f"{name}: missing {key}"
    for key in must_not:
        assert key not in keys, f"{name}: should not get {key}"
    assert set(keys) <= ALL_STEPS


def test_plan_is_in_rule_order_with_experience_first(kb):
    keys = [s.key for s in kb.plan(profile(experience_years=0, target_company="grande"))]
    assert keys[0] == "office_experience"
    assert keys.index("supervise_newcomers") < keys.index("business_studies") < keys.index("large_company_role")


def test_every_step_cites_real_passages(kb):
    steps = kb.plan(profile(skills=[], experience_years=1, target_company="grande", situation="interimaire"))
    assert steps
    for step in steps:
        assert step.sources
        for hit in step.sources:
            assert hit.text and hit.paragraph >= 1


def test_rendered_plan_is_numbered_and_ends_with_references(kb):
    steps = kb.plan(profile(experience_years=1, target_company="petite", skills=["tableur"]))
    text, sources = kb.render_plan(steps)
    lines = text.split("\n")
    assert [line.split(".", 1)[0] for line in lines] == [str(i) for i in range(1, len(steps) + 1)]
    assert "(§ 1, 3)" in lines[0]  # office experience: § 1 and § 3
    assert sources.startswith("« Comment devenir gestionnaire de back office ? », § ")


@pytest.mark.parametrize(
    "conditions, person, expected",
    [
        ({"experience_years": {"lt": 5}}, {"experience_years": 4.9}, True),
        ({"experience_years": {"lt": 5}}, {"experience_years": 5}, False),
        ({"experience_years": {"lt": 5}}, {"experience_years": "inconnu"}, False),
        ({"experience_years": {"known": False}}, {"experience_years": "inconnu"}, True),
        ({"experience_years": {"known": False}}, {}, True),
        ({"supervised": {"not_in": ["oui"]}}, {"supervised": None}, True),
        ({"skills": {"lacks_any": ["tableur"]}}, {"skills": ["inconnu"]}, True),
        ({"skills": {"lacks_any": ["tableur"]}}, {"skills": ["tableur"]}, False),
        ({"target_company": {"eq": "grande"}, "education": {"not_in": ["commerce"]}},
         {"target_company": "grande", "education": "commerce"}, False),
    ],
)
def test_conditions(conditions, person, expected):
    assert applies(conditions, person) is expected


def test_a_rule_citing_a_missing_passage_fails_the_build(tmp_path, settings, normalizer, topic_specs):
    advice = tmp_path / "advice"
    advice.mkdir()
    (advice / "rules.yml").write_text(
        "steps:\n  - id: ghost\n    text: Conseil\n    cites:\n"
        "      - {document: gestionnaire-back-office.fr.txt, paragraph: 9, sentence: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(AdviceRuleError, match="ghost.*§ 9, sentence 1"):
        engine = make_engine(f"sqlite:///{tmp_path / 'kb.sqlite'}")
        build(engine, settings.knowledge_dir, normalizer, topic_specs, advice)


def test_malformed_rules_are_refused(tmp_path):
    (tmp_path / "bad.yml").write_text("steps:\n  - id: x\n    text: t\n    when: {skills: {contains: [a]}}\n"
                                      "    cites: [{document: d, paragraph: 1, sentence: 1}]\n", encoding="utf-8")
    with pytest.raises(AdviceRuleError, match="unknown condition"):
        read_rules(tmp_path)
