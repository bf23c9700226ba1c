"""Passages that respect the document: headings are sections, never passages; a list stays with its lead-in;
a passage never ends inside a word or a sentence. Each format of the HR note gives the same passages."""
from __future__ import annotations

import pytest

from backoffice_career.knowledge.citations import cite
from backoffice_career.knowledge.index import Hit
from backoffice_career.knowledge.passages import SENTENCE_END, cut_passages, join_items, sentence_groups
from backoffice_career.knowledge.readers import read_file
from tests.helpers.documents import write_note

FORMATS = ["md", "docx", "pdf", "html"]
TITLE = "Accueil des nouveaux arrivants"
HEADINGS = {
    TITLE, "Horaires de travail", "Le badge d'accès", "Le premier jour", "La formation aux logiciels",
    "La mobilité interne", "Vos contacts",
}
FIRST_DAY_LIST = (
    "Pensez à apporter ce jour-là : une pièce d'identité ; votre relevé d'identité bancaire ; votre carte Vitale."
)


@pytest.fixture(scope="module")
def note_passages(tmp_path_factory, normalizer):
    folder = tmp_path_factory.mktemp("note")
    documents = [read_file(write_note(fmt, folder)) for fmt in FORMATS]
    drafts = cut_passages(documents, normalizer, section_separator=normalizer.config.section_path_separator)
    return {fmt: [d for d in drafts if d.document == f"accueil.{fmt}"] for fmt in FORMATS}


def find(passages, fragment):
    matches = [p for p in passages if fragment in p.text]
    assert len(matches) == 1, f"{fragment!r} in {len(matches)} passages"
    return matches[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_headings_are_sections_never_passages(note_passages, fmt):
    passages = note_passages[fmt]
    assert not [p.text for p in passages if p.text.strip("# ") in HEADINGS]
    assert not [p.text for p in passages if any(p.text.startswith(h) for h in HEADINGS - {"Le premier jour"})]
    assert find(passages, "badge nominatif").section == "Le badge d'accès"
    assert find(passages, "Cette page de l'intranet").section == ""
    # The heading's words are indexed with the passages under it.
    assert {"badge", "acces"} <= set(find(passages, "Il ouvre les portes").lemmas)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_list_stays_with_its_lead_in_sentence(note_passages, fmt):
    passages = note_passages[fmt]
    listed = find(passages, "carte Vitale")
    assert listed.text == FIRST_DAY_LIST
    assert listed.section == "Le premier jour"
    # The sentence before the lead-in is a passage of its own, same paragraph.
    before = find(passages, "Votre responsable vous accueille")
    assert before.text == "Votre responsable vous accueille à 9 h 30 et vous présente l'équipe."
    assert (before.paragraph, before.position + 1) == (listed.paragraph, listed.position)
    contacts = find(passages, "support au 4242")
    assert contacts.text.startswith("Pour toute question : sur la paie ou les congés")
    assert {"carte", "vital"} & set(listed.lemmas)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_passage_ends_inside_a_word_or_a_sentence(note_passages, fmt):
    for passage in note_passages[fmt]:
        assert passage.text.endswith(SENTENCE_END), passage.text
        assert not passage.text.endswith("-")
    assert "rez-de-chaussée" in find(note_passages[fmt], "badge nominatif").text


def test_every_format_gives_the_same_passages(note_passages):
    keys = {f: [(p.position, p.paragraph, p.section, p.text, p.lemmas) for p in ps] for f, ps in note_passages.items()}
    assert len(keys["md"]) == 14
    assert keys["docx"] == keys["pdf"] == keys["html"] == keys["md"]


def test_a_sentence_without_final_punctuation_joins_the_next():
    # spaCy may end a "sentence" at a hyphen or a line break: the passage goes on to the real end.
    groups = sentence_groups(
        [(1, "Le badge est remis à l'accueil du rez-"), (2, "de-chaussée le premier jour."), (3, "Gardez-le.")], []
    )
    assert [[n for n, _ in g] for g in groups] == [[1, 2], [3]]
    assert sentence_groups([(1, "Le service ferme à 17 h."), (2, "Cela vaut le vendredi.")], ["cela"]) == [
        [(1, "Le service ferme à 17 h."), (2, "Cela vaut le vendredi.")]
    ]


def test_a_word_cut_at_a_hyphen_across_lines_stays_whole(tmp_path, normalizer):
    (tmp_path / "note.md").write_text(
        "# Note\n\nLe service du back-\noffice ferme à 17 h le vendredi, et le rez-de-\nchaussée reste ouvert.\n",
        encoding="utf-8",
    )
    (passage,) = cut_passages([read_file(tmp_path / "note.md")], normalizer)
    assert passage.text == "Le service du back-office ferme à 17 h le vendredi, et le rez-de-chaussée reste ouvert."


def test_a_passage_keeps_the_documents_text_where_spacy_splits_a_sentence(tmp_path, normalizer):
    """spaCy may end a "sentence" before a comma ("Le vendredi" | ", le service…"); the passage joins the
    pieces as the document wrote them, never with a space before the comma."""
    (tmp_path / "note.md").write_text("# Note\n\n## Horaires\n\nLe vendredi, le service ferme à 17 h.\n", "utf-8")
    (passage,) = cut_passages([read_file(tmp_path / "note.md")], normalizer)
    assert passage.text == "Le vendredi, le service ferme à 17 h."


def test_list_items_are_joined_with_the_separator_and_a_final_full_stop():
    assert join_items(["le badge", "le RIB ;", "la carte Vitale"]) == "le badge ; le RIB ; la carte Vitale."
    assert join_items(["Le badge est remis.", "Le RIB est demandé"]) == "Le badge est remis. Le RIB est demandé."


def _hit(section, paragraph, position, title=TITLE, document="accueil.md"):
    return Hit(1, document, title, position, paragraph, "texte", 1.0, {}, 1, "file", section)


def test_citations_name_the_section_or_the_paragraph(normalizer):
    config = normalizer.config
    first_day = "« Accueil des nouveaux arrivants », section « Le premier jour »"
    assert cite(config, [_hit("Le premier jour", 5, 8)]) == first_day
    assert cite(config, [_hit("Le premier jour", 5, 8), _hit("Le badge d'accès", 3, 4)]) == (
        "« Accueil des nouveaux arrivants », sections « Le badge d'accès », « Le premier jour »"
    )
    guide = "Comment devenir gestionnaire de back office ?"
    assert cite(config, [_hit("", 3, 7, guide, "guide.txt")]) == f"« {guide} », § 3"
