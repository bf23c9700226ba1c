"""Understanding profile answers: durations in words or digits, keywords, read-back."""
from __future__ import annotations

import pytest

from backoffice_career.profile.facts import (
    InvalidExperience,
    load_vocabulary,
    normalise_category,
    normalise_skills,
    parse_experience,
    summary_lines,
)

VOCAB = load_vocabulary()


@pytest.mark.parametrize(
    "text, years",
    [
        ("5 ans", 5.0), ("2 ans", 2.0), ("deux ans", 2.0), ("six mois", 0.5), ("un an et demi", 1.5),
        ("2 ans et demi", 2.5), ("3 années", 3.0), ("quinze ans", 15.0), ("vingt-cinq ans", 25.0),
        ("5ans", 5.0), ("1,5 an", 1.5), ("aucune", 0.0), ("0 an", 0.0), (7, 7.0), ("8", 8.0),
        ("bof", None), ("inconnu", None),
    ],
)
def test_parse_experience(text, years):
    assert parse_experience(text, VOCAB) == years


@pytest.mark.parametrize("text", ["200 ans", "-3 ans", "deux cents ans", 51, "cent ans"])
def test_absurd_experience_is_refused(text):
    with pytest.raises(InvalidExperience):
        parse_experience(text, VOCAB)


@pytest.mark.parametrize(
    "slot, text, value",
    [
        ("situation", "je suis en interim", "interimaire"),
        ("situation", "Assistante", "employe_bureau"),
        ("situation", "au chomage", "demandeur_emploi"),
        ("situation", "etudiant", "etudiant"),
        ("target_company", "une PME", "petite"),
        ("target_company", "grand groupe", "grande"),
        ("education", "école de commerce", "commerce"),
        ("education", "BTS", "bac_plus_2"),
        ("education", "sans diplôme", "bac"),
        ("supervised", "j'ai formé des intérimaires", "oui"),
        ("supervised", "jamais", "non"),
        ("situation", "inconnu", "inconnu"),
        ("situation", "blabla", None),
    ],
)
def test_normalise_category(slot, text, value):
    assert normalise_category(slot, text, VOCAB) == value


@pytest.mark.parametrize(
    "value, skills",
    [
        (["Excel", "word"], ["tableur", "traitement_de_texte"]),
        ("la compta et la PAO", ["pao", "comptabilite"]),
        ("tableur", ["tableur"]),
        ("aucune", []),
        (["inconnu"], ["inconnu"]),
        ("du jardinage", None),
    ],
)
def test_normalise_skills(value, skills):
    result = normalise_skills(value, VOCAB)
    assert (sorted(result) if result is not None else None) == (sorted(skills) if skills is not None else None)


def test_summary_lines_use_the_vocabulary_labels():
    lines = summary_lines(
        {"experience_years": 2.5, "supervised": "inconnu", "situation": "interimaire", "skills": [], "education": None},
        VOCAB,
    )
    assert lines == [
        "- Expérience de bureau : 2,5 an(s)",
        "- A déjà encadré ou formé des personnes : non précisé",
        "- Situation : intérimaire",
        "- Compétences : aucune pour l'instant",
    ]


async def test_form_buttons_send_their_profile_values(caplog, capsys):
    """Rasa fills "{...}" in responses from slots: the payloads' braces must come out intact."""
    import json

    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from backoffice_career.settings import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("buttons", domain.slots)
    payloads = []
    for name in [n for n in domain.responses if n.startswith("utter_ask_")]:
        message = await nlg.generate(name, tracker, "rest")
        payloads += [b["payload"] for b in message.get("buttons") or [] if b["payload"].startswith("/inform_profile")]
    assert len(payloads) >= 10
    for payload in payloads:
        values = json.loads(payload[len("/inform_profile"):])
        assert values and set(values) <= set(domain.entities)
        assert all(isinstance(v, str) and v for v in values.values())
    logged = caplog.text + "".join(capsys.readouterr())
    assert "interpolator" not in logged
