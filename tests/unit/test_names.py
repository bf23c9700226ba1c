"""Every name of backoffice_career/names.py exists in domain.yml (or among Rasa's built-ins)."""
from __future__ import annotations

import pytest
from rasa.shared.core.constants import DEFAULT_INTENTS, REQUESTED_SLOT

from backoffice_career import names

# Constant prefix -> the domain.yml section that must hold its value.
SECTIONS = {
    "UTTER_": "responses",
    "ACTION_": "actions",
    "FORM_": "forms",
    "SLOT_": "slots",
    "INTENT_": "intents",
    "ENTITY_": "entities",
}
RASA_BUILT_INS = {"RASA_INTENT_NLU_FALLBACK": DEFAULT_INTENTS, "RASA_SLOT_REQUESTED": [REQUESTED_SLOT]}
GROUPS = {
    "PROFILE_SLOTS": "slots", "CATEGORY_SLOTS": "slots", "DIALOGUE_INTENTS": "intents", "FALLBACK_INTENTS": "intents",
    "SMALL_TALK_INTENTS": "intents",
}


def domain_names(domain, section):
    """The names declared in a section of domain.yml (list of names, of one-key mappings, or a mapping)."""
    entries = domain.get(section) or []
    if isinstance(entries, dict):
        return set(entries)
    return {next(iter(e)) if isinstance(e, dict) else e for e in entries}


def constants(prefix):
    return [(name, value) for name, value in vars(names).items() if name.startswith(prefix)]


def values(value):
    return list(value.values()) if isinstance(value, dict) else [value]


@pytest.mark.parametrize("prefix, section", SECTIONS.items())
def test_every_constant_is_declared_in_the_domain(domain, prefix, section):
    declared = domain_names(domain, section)
    found = constants(prefix)
    assert found, f"no {prefix}* constant"
    missing = [(name, v) for name, value in found for v in values(value) if v not in declared]
    assert missing == [], f"not in domain.yml {section}"


def test_every_group_holds_declared_names_or_rasa_built_ins(domain):
    for group, section in GROUPS.items():
        allowed = domain_names(domain, section) | set(DEFAULT_INTENTS) | {REQUESTED_SLOT}
        assert set(getattr(names, group)) <= allowed, group
        assert getattr(names, group), group


def test_rasa_built_in_names_are_rasa_s():
    for name, built_ins in RASA_BUILT_INS.items():
        assert getattr(names, name) in built_ins, name
    assert {n for n, _ in constants("RASA_")} == set(RASA_BUILT_INS)


def test_every_constant_has_a_known_prefix():
    known = (*SECTIONS, "RASA_", *GROUPS)
    public = [n for n in vars(names) if n.isupper()]
    assert [n for n in public if not n.startswith(known)] == []


def test_the_form_validation_action_and_the_profile_slots_match_the_form(domain):
    assert names.ACTION_VALIDATE_PROFILE_FORM == f"validate_{names.FORM_PROFILE}"
    required = domain["forms"][names.FORM_PROFILE]["required_slots"]
    assert set(required) == set(names.PROFILE_SLOTS)
    assert set(names.UTTER_NOT_UNDERSTOOD) == set(names.PROFILE_SLOTS)


def test_every_response_text_is_stored_as_the_user_saw_it(domain):
    """The stores keep texts in NFKC form (backoffice_career/privacy/cleaning.py): the bot's own texts are
    written in that form, so a stored conversation holds exactly what the user was sent."""
    from backoffice_career.privacy.cleaning import normalize

    texts = [
        text
        for variants in domain["responses"].values()
        for variant in variants
        for text in [variant.get("text", ""), *(b["title"] for b in variant.get("buttons", []))]
    ]
    assert texts and [t for t in texts if normalize(t) != t] == []
