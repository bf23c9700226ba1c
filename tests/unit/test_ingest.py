"""Ingestion: documents become passages with citation positions, lemmas and topics."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from backoffice_career.knowledge.db import Document, Passage, create_schema, make_engine
from backoffice_career.knowledge.factory import build_knowledge_base
from backoffice_career.knowledge.ingest import IngestError, build, cut_passages, read_document, read_documents
from tests.helpers.documents import write_note

SOURCE_NAME = "gestionnaire-back-office.fr.txt"


@pytest.fixture(scope="module")
def passages(settings, normalizer, topic_specs):
    from backoffice_career.knowledge.text import topic_weights

    drafts = cut_passages(read_documents(settings.knowledge_dir), normalizer)
    for draft in drafts:
        draft.topics = topic_weights(draft.lemmas, topic_specs)
    return drafts


def find(passages, fragment):
    matches = [p for p in passages if fragment in p.text]
    assert len(matches) == 1, f"{fragment!r} in {len(matches)} passages"
    return matches[0]


def test_title_and_paragraphs_of_the_source(settings):
    doc = read_document(settings.knowledge_dir / SOURCE_NAME)
    assert doc.title == "Comment devenir gestionnaire de back office ?"
    assert len(doc.paragraphs) == 4
    assert doc.paragraphs[1].startswith("Le terme back office")


def test_every_sentence_is_kept_once_in_order(settings, passages):
    doc = read_document(settings.knowledge_dir / SOURCE_NAME)
    joined = " ".join(p.text for p in passages)
    assert joined == " ".join(doc.paragraphs)
    assert [p.position for p in passages] == list(range(1, len(passages) + 1))


@pytest.mark.parametrize(
    "fragment, paragraph, sentences",
    [
        ("Pour devenir gestionnaire de back-office, vous devrez", 1, (1, 1)),
        ("Le terme back office fait souvent référence", 2, (1, 1)),
        # "Au lieu de cela" continues the previous sentence: one passage.
        ("Au lieu de cela, les employés du back-office", 2, (2, 3)),
        ("De nombreuses personnes commencent leur carrière", 3, (2, 2)),
        # "Ces cours" refers to the courses of the sentence before.
        ("Ces cours sont offerts en ligne", 4, (1, 2)),
        ("Cela peut vous fournir une expérience précieuse", 4, (3, 4)),
    ],
)
def test_citation_positions(passages, fragment, paragraph, sentences):
    passage = find(passages, fragment)
    assert passage.paragraph == paragraph
    assert (passage.sentence_start, passage.sentence_end) == sentences


@pytest.mark.parametrize(
    "fragment, topic",
    [
        ("Pour devenir gestionnaire de back-office, vous devrez", "how_to_become"),
        ("Pour devenir gestionnaire de back-office, vous devrez", "experience_needed"),
        ("expérience de supervision substantielle", "experience_needed"),
        ("Bien qu’une formation formelle", "training_vs_experience"),
        ("Le terme back office", "back_office_definition"),
        ("cadres du front-office", "back_office_definition"),
        ("équilibrent généralement les livres", "duties"),
        ("Dans les petites entreprises", "company_size"),
        ("services temporaires", "temp_work_entry"),
        ("possibilités de formation", "on_the_job_training"),
        ("traitement de texte et en tableur", "office_software"),
        ("conception Web et en publication assistée", "web_design_dtp"),
        ("rédaction commerciale et de comptabilité de base", "courses"),
        ("nouveaux travailleurs et des employés temporaires", "training_new_workers"),
        ("administration des affaires", "business_studies"),
    ],
)
def test_topics_of_passages(passages, fragment, topic):
    assert topic in find(passages, fragment).topics


@pytest.mark.parametrize(
    "fragment, not_topic",
    [
        ("Le terme back office", "duties"),
        ("traitement de texte et en tableur", "web_design_dtp"),
        ("services temporaires", "training_new_workers"),
        ("possibilités de formation", "training_vs_experience"),
    ],
)
def test_topics_are_not_spread_everywhere(passages, fragment, not_topic):
    assert not_topic not in find(passages, fragment).topics


def test_lemmas_are_normalised(passages):
    lemmas = find(passages, "traitement de texte et en tableur").lemmas
    assert "tableur" in lemmas and "competence" in lemmas  # lemma, no accent
    assert "de" not in lemmas and "en" not in lemmas  # stop words dropped


def test_every_topic_has_a_passage(passages, topic_specs):
    covered = {name for p in passages for name in p.topics}
    assert covered == {t.name for t in topic_specs}


def test_build_stores_passages_and_is_idempotent(tmp_path, settings, normalizer, topic_specs):
    engine = make_engine(f"sqlite:///{tmp_path / 'kb.sqlite'}")
    first = build(engine, settings.knowledge_dir, normalizer, topic_specs)
    second = build(engine, settings.knowledge_dir, normalizer, topic_specs)
    assert first.passages == second.passages == 15
    assert second.uncovered_topics == []
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Passage)) == 15
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        stored = session.scalars(select(Passage).order_by(Passage.position)).first()
        assert stored.document.name == SOURCE_NAME
        assert "experience" in stored.lemmas.split()
        assert {pt.topic.name for pt in stored.topics} >= {"how_to_become", "experience_needed"}


def test_new_documents_are_read_whatever_their_encoding(tmp_path, normalizer, topic_specs):
    (tmp_path / "faq-rh.md").write_bytes(
        "\ufeff# Télétravail au back-office\r\n\r\nLe télétravail est possible deux jours par semaine.\r\n".encode(
            "utf-8"
        )
    )
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 damaged")
    docs = read_documents(tmp_path)
    assert [d.name for d in docs] == ["faq-rh.md"]
    assert docs[0].title == "Télétravail au back-office"
    report = build(make_engine(f"sqlite:///{tmp_path / 'kb.sqlite'}"), tmp_path, normalizer, topic_specs)
    assert report.passages == 1
    assert report.errors == ["« notes.pdf » n'est pas lu : le fichier est illisible (endommagé, ou son contenu ne "
                             "correspond pas à son extension)."]


@pytest.mark.parametrize("content", [None, "", "\n\n   \n"])
def test_empty_or_missing_source_is_an_error(tmp_path, normalizer, topic_specs, content):
    source = tmp_path / "knowledge"
    if content is not None:
        source.mkdir()
        (source / "vide.txt").write_text(content, encoding="utf-8")
    with pytest.raises(IngestError):
        build(make_engine(f"sqlite:///{tmp_path / 'kb.sqlite'}"), source, normalizer, topic_specs)


def _folder_with_guide(tmp_path, settings):
    folder = tmp_path / "knowledge"
    folder.mkdir()
    shutil.copy(settings.knowledge_dir / SOURCE_NAME, folder / SOURCE_NAME)
    return folder


def test_bad_documents_are_reported_and_the_others_built(tmp_path, settings, normalizer, topic_specs):
    folder = _folder_with_guide(tmp_path, settings)
    write_note("docx", folder, "accueil")
    (folder / "scan.pdf").write_bytes(b"")
    (folder / "tableau.xlsx").write_bytes(b"PK")
    kb = build_knowledge_base(f"sqlite:///{tmp_path / 'kb.sqlite'}", folder, normalizer, topic_specs)
    with Session(kb.engine) as session:
        titles = dict(session.execute(select(Document.name, Document.title)).all())
        sections = set(session.scalars(select(Passage.section).join(Document).where(Document.name == "accueil.docx")))
    assert titles == {SOURCE_NAME: "Comment devenir gestionnaire de back office ?",
                      "accueil.docx": "Accueil des nouveaux arrivants"}
    assert "Le premier jour" in sections
    hits = kb.search("pièce d'identité relevé d'identité bancaire carte Vitale", limit=1)
    assert kb.cite(hits) == "« Accueil des nouveaux arrivants », section « Le premier jour »"
    report = build(kb.engine, folder, normalizer, topic_specs)
    assert (report.documents, report.uncovered_topics) == (2, [])
    assert [m.split(" n'est pas lu")[0] for m in report.errors] == ["« scan.pdf »", "« tableau.xlsx »"]


def test_when_nothing_can_be_built_the_previous_knowledge_base_stays(tmp_path, settings, normalizer, topic_specs):
    engine = make_engine(f"sqlite:///{tmp_path / 'kb.sqlite'}")
    build(engine, settings.knowledge_dir, normalizer, topic_specs)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "vide.md").write_text("# Seulement un titre\n", encoding="utf-8")
    (bad / "notes.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(IngestError) as caught:
        build(engine, bad, normalizer, topic_specs)
    assert "la base de connaissances précédente est conservée" in str(caught.value)
    assert "« vide.md » n'est pas lu : le document est vide" in str(caught.value)
    assert "« notes.doc » n'est pas lu : ce format n'est pas pris en charge" in str(caught.value)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Passage)) == 15


def test_a_database_built_before_sections_gets_the_column(tmp_path, settings, normalizer, topic_specs):
    engine = make_engine(f"sqlite:///{tmp_path / 'kb.sqlite'}")
    create_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE kb_passage DROP COLUMN section"))
    folder = _folder_with_guide(tmp_path, settings)
    write_note("md", folder, "accueil")
    build(engine, folder, normalizer, topic_specs)
    with Session(engine) as session:
        assert "Vos contacts" in set(session.scalars(select(Passage.section)))


def test_the_build_command_reports_bad_documents_and_fails_only_when_nothing_is_built(tmp_path, settings, capsys):
    from hr.cli import main

    folder = _folder_with_guide(tmp_path, settings)
    write_note("html", folder, "accueil")
    (folder / "vide.txt").write_text("  \n", encoding="utf-8")
    command = ["kb", "build", "--url", f"sqlite:///{tmp_path / 'kb.sqlite'}", "--source", str(folder)]
    assert main(command) == 0
    built = capsys.readouterr()
    assert "2 document(s)" in built.out
    assert "« vide.txt » n'est pas lu : le document est vide" in built.err
    for name in (SOURCE_NAME, "accueil.html"):
        (folder / name).unlink()
    assert main(command) == 2
    failed = capsys.readouterr()
    assert "Aucun document n'a pu être lu" in failed.err and "« vide.txt »" in failed.err
