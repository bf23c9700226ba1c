"""Masking of personal data before anything is stored: a table of realistic French messages.

Each row holds a message and the personal data it contains; after masking none of it may be
left, and the right mask must be there. Ordinary career questions must come out unchanged.
"""
from __future__ import annotations

import re

import pytest

from backoffice_career.privacy.cleaning import clean_text, normalize
from backoffice_career.privacy.masking import mask_clean_text, mask_data, mask_text, masks

LABELS = masks()
EMAIL, PHONE, IBAN, CARD, NIR = (LABELS[k] for k in ("email", "phone", "iban", "card", "nir"))

# (message, personal data it holds, mask expected)
PERSONAL = [
    ("Bonjour, vous pouvez me rappeler au 06 12 34 56 78 ?", ["06 12 34 56 78"], PHONE),
    ("mon numéro : 06.12.34.56.78", ["06.12.34.56.78"], PHONE),
    ("Tel 06-12-34-56-78, de préférence le matin", ["06-12-34-56-78"], PHONE),
    ("0612345678 c'est mon portable", ["0612345678"], PHONE),
    ("appelez-moi au +33 6 12 34 56 78 svp", ["+33 6 12 34 56 78"], PHONE),
    ("+33612345678", ["+33612345678"], PHONE),
    ("mon fixe 0033 1 42 68 53 00", ["1 42 68 53 00"], PHONE),
    ("joignable au 01 42 68 53 00 en journée", ["01 42 68 53 00"], PHONE),
    ("06 1234 5678 (pro)", ["06 1234 5678"], PHONE),
    ("tél : 0 6 1 2 3 4 5 6 7 8", ["0 6 1 2 3 4 5 6 7 8"], PHONE),
    ("mon portable 06\u200b12 34 56 78", ["12 34 56 78"], PHONE),
    ("06\u00a012\u00a034\u00a056\u00a078 merci", ["12 34 56 78"], PHONE),
    ("rappel au 07\u202f11\u202f22\u202f33\u202f44", ["11 22 33 44"], PHONE),
    ("numéro ０６１２３４５６７８", ["12345678"], PHONE),
    ("+33 (0)7 11 22 33 44 le soir", ["11 22 33 44"], PHONE),
    ("mon ancien numéro en Belgique +32 470 12 34 56", ["470 12 34 56"], PHONE),
    ("06\u206012\u206034 56 78", ["12", "34 56 78"], PHONE),
    ("06\u00ad12\u00ad34\u00ad56\u00ad78", ["12", "56"], PHONE),
    ("+33\u200b6\u200b12\u200b34\u200b56\u200b78", ["12", "34", "78"], PHONE),
    ("mon mail : jean.dupont@gmail.com", ["jean.dupont", "gmail"], EMAIL),
    ("JEAN.DUPONT@GMAIL.COM", ["JEAN", "GMAIL"], EMAIL),
    ("jean point dupont arobase gmail point com", ["jean", "dupont", "gmail"], EMAIL),
    ("écrivez-moi à jean[at]gmail[dot]com", ["jean", "gmail"], EMAIL),
    ("jean (at) gmail.com", ["jean", "gmail"], EMAIL),
    ("mon adresse marie.curie at orange dot fr", ["marie", "curie", "orange"], EMAIL),
    ("contact : paul_martin @ laposte . net", ["paul_martin", "laposte"], EMAIL),
    ("c'est sophie arobase free point fr", ["sophie", "free"], EMAIL),
    ("jean.dupont＠gmail.com", ["jean", "gmail"], EMAIL),
    ("lucie{at}yahoo{dot}fr", ["lucie", "yahoo"], EMAIL),
    ("jean\u200b.dupont@gmail\u200b.com", ["dupont", "gmail"], EMAIL),
    ("j.dupont(arobase)wanadoo(point)fr", ["dupont", "wanadoo"], EMAIL),
    ("Mon IBAN est FR76 3000 6000 0112 3456 7890 189 pour le remboursement", ["3000", "7890"], IBAN),
    ("iban fr7630006000011234567890189", ["30006000011234567890189"], IBAN),
    ("RIB : FR14 2004 1010 0505 0001 3M02 606", ["2004", "3M02"], IBAN),
    ("compte allemand DE89 3704 0044 0532 0130 00", ["3704", "0532"], IBAN),
    ("virement sur GB82 WEST 1234 5698 7654 32", ["WEST", "5698"], IBAN),
    ("mon numéro de sécu : 1 85 05 78 006 084 91", ["006 084"], NIR),
    ("NIR 185057800608491", ["185057800608491"], NIR),
    ("n° SS 2 90 02 75 120 005 77", ["120 005"], NIR),
    ("né en Corse, numéro 1 85 05 2A 006 084 35", ["2A 006"], NIR),
    ("sécurité sociale : 2.77.05.99.123.456.58", ["123.456"], NIR),
    ("ma carte vitale dit 196032B01234520", ["196032B01234520"], NIR),
    ("ma carte 4111 1111 1111 1111 a été débitée", ["1111"], CARD),
    ("5555-5555-5555-4444", ["5555"], CARD),
    ("CB 4970 1012 3456 7893 exp 12/27", ["4970", "7893"], CARD),
    ("Amex 3782 822463 10005", ["822463"], CARD),
    ("Je m'appelle Jean, 06 12 34 56 78, jean.dupont@gmail.com, je cherche une formation",
     ["12 34 56 78", "jean.dupont"], EMAIL),
]

ORDINARY = [
    "J'ai 35 ans et 8 ans d'expérience en comptabilité",
    "J'ai un Bac+2 obtenu en 2019",
    "Est-ce que les 35 heures s'appliquent aux cadres ?",
    "Mon salaire est de 2 100 € net, est-ce normal ?",
    "On me propose 45 000 € brut par an, 5 000 € de plus qu'avant",
    "Un salaire de 45 000 - 50 000 € brut, c'est correct ?",
    "Combien d'heures de CPF pour 151,67 heures par mois ?",
    "Je suis en CDD du 01/09/2023 au 31/08/2024",
    "Le code ROME M1607 correspond à quel métier ?",
    "J'habite dans le 75015 et je travaille à 12 km",
    "Faut-il appeler le 3949 ou le 115 ?",
    "Le SMIC est à 1 766,92 € brut en 2024",
    "SIRET de mon entreprise : 732 829 320 00074",
    "Je fais le point sur ma carrière",
    "J'ai travaillé at home pendant 2 ans",
    "Formation de 400 heures, 1 200 heures de stage, 24 mois",
    "convention collective IDCC 1486",
    "J'ai 3 enfants de 4, 7 et 12 ans",
    "Mon contrat fait 1607 heures par an",
    "Entre 2015 et 2020 j'étais en poste, puis 2021-2023 en reconversion",
    "Le poste est à 10 minutes, 20 000 à 25 000 € selon profil",
    "Note de 15/20 au BTS, bac en 2012",
    "Une prime de 1 000 000 ? non, 1 500 € en décembre 2023",
    "Je suis né le 12.05.1990 et j'ai un Bac+5",
    "Mon SIREN 732 829 320, est-ce utile ?",
]


def _fully_masked(text: str, secrets: list, label: str) -> bool:
    masked = mask_text(text)
    return label in masked and not any(secret.lower() in masked.lower() for secret in secrets)


def test_the_table_is_large_enough():
    assert len(PERSONAL) >= 40
    assert {label for _, _, label in PERSONAL} == {EMAIL, PHONE, IBAN, CARD, NIR}


def test_at_least_95_percent_of_the_table_is_masked():
    missed = [text for text, secrets, label in PERSONAL if not _fully_masked(text, secrets, label)]
    rate = 1 - len(missed) / len(PERSONAL)
    assert rate >= 0.95, f"{rate:.0%} masked; missed: {[(t, mask_text(t)) for t in missed]}"


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_career_questions_are_kept(text):
    assert mask_text(text) == text


def test_the_words_around_personal_data_are_kept():
    assert mask_text("appelez-moi au 06 12 34 56 78 svp") == f"appelez-moi au {PHONE} svp"
    assert mask_text("mon mail jean point dupont arobase gmail point com merci") == f"mon mail {EMAIL} merci"
    assert mask_text("ma carte 4111 1111 1111 1111 12/27") == f"ma carte {CARD} 12/27"
    assert mask_text("IBAN FR76 3000 6000 0112 3456 7890 189 et voilà") == f"IBAN {IBAN} et voilà"


def test_a_wrong_checksum_is_not_an_iban_a_card_or_a_nir():
    for text in ("FR76 3000 6000 0112 3456 7890 188", "4111 1111 1111 1112", "1 85 05 78 006 084 92"):
        masked = mask_text(text)
        assert IBAN not in masked and CARD not in masked and NIR not in masked


def test_text_is_normalised_and_cleaned_before_masking():
    assert normalize("a\u200bb\x1b[31mc\u202e") == "ab[31mc"
    assert normalize("ligne 1\r\nligne 2") == "ligne 1\nligne 2"
    assert normalize("ｐｏｓｔｅ") == "poste"
    assert clean_text(" une\tquestion\nsur deux lignes\x07 ") == "une question sur deux lignes"
    assert mask_clean_text("\x1b]0;titre\x07 mail: a@b.fr\x1b[0m") == f"]0;titre mail: {EMAIL}[0m"


def test_nothing_to_mask_keeps_the_text():
    assert mask_text("") == ""
    assert mask_text("Bonjour, comment faire une VAE ?") == "Bonjour, comment faire une VAE ?"


def test_long_input_is_masked_in_linear_time():
    import time

    text = ("jean point " * 5000) + ("0" * 50000) + (" at " * 5000)
    start = time.perf_counter()
    mask_text(text)
    assert time.perf_counter() - start < 2.0


def test_nested_event_data_is_masked_everywhere():
    event = {
        "event": "user",
        "text": "je suis joignable au 07 11 22 33 44",
        "timestamp": 1700000000.5,
        "parse_data": {"text": "mail: a.b@c.fr", "entities": [{"value": "a.b@c.fr"}], "intent": {"confidence": 0.9}},
    }
    masked = mask_data(event)
    assert masked["text"] == f"je suis joignable au {PHONE}"
    assert masked["parse_data"]["text"] == f"mail: {EMAIL}"
    assert masked["parse_data"]["entities"][0]["value"] == EMAIL
    assert masked["timestamp"] == 1700000000.5
    assert masked["parse_data"]["intent"] == {"confidence": 0.9}


def test_masks_hold_no_personal_data_pattern():
    for label in LABELS.values():
        assert mask_text(label) == label
        assert not re.search(r"\d", label)
