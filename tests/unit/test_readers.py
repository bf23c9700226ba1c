"""Readers of HR documents: each format, written by the test itself, gives the same titled, sectioned units;
every bad document gets its French error with its file name."""
from __future__ import annotations

import io

import pytest

from backoffice_career.knowledge.readers import DocumentError, read_file, read_folder
from backoffice_career.knowledge.text import load_kb_config
from tests.helpers.documents import note_blocks, write_note, write_pdf

FORMATS = ["md", "docx", "pdf", "html"]
TITLE = "Accueil des nouveaux arrivants"
SECTIONS = [
    "Horaires de travail", "Le badge d'accès", "Le premier jour", "La formation aux logiciels",
    "La mobilité interne", "Vos contacts",
]
FIRST_DAY_ITEMS = ("une pièce d'identité ;", "votre relevé d'identité bancaire ;", "votre carte Vitale.")


@pytest.fixture(scope="module")
def error_texts(settings):
    return load_kb_config(settings.kb_config).documents["errors"]


@pytest.fixture(scope="module")
def markdown_note(tmp_path_factory):
    return read_file(write_note("md", tmp_path_factory.mktemp("md")))


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_note_is_read_with_its_title_sections_and_lists(tmp_path, fmt):
    doc = read_file(write_note(fmt, tmp_path))
    assert doc.title == TITLE
    assert list(dict.fromkeys(u.section[0] for u in doc.units if u.section)) == SECTIONS
    assert doc.units[0].section == () and doc.units[0].text.startswith("Cette page de l'intranet RH")
    # Headings are never units: no unit text is a heading.
    headings = {TITLE, *SECTIONS}
    assert not [u for u in doc.units if u.text in headings or set(u.items) & headings]
    # The list stays with its lead-in paragraph, in its section.
    first_day = [u for u in doc.units if u.items == FIRST_DAY_ITEMS]
    assert len(first_day) == 1
    assert first_day[0].section == ("Le premier jour",)
    assert first_day[0].text.endswith("Pensez à apporter ce jour-là :")
    assert [u.paragraph for u in doc.units] == list(range(1, len(doc.units) + 1))


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_every_format_gives_the_units_of_the_markdown(tmp_path, fmt, markdown_note):
    assert read_file(write_note(fmt, tmp_path)).units == markdown_note.units


@pytest.mark.parametrize("width", [60, 80])
def test_pdf_lines_wrapped_by_the_page_are_joined(tmp_path, width, markdown_note):
    doc = read_file(write_pdf(note_blocks(), tmp_path / "etroit.pdf", line_width=width))
    assert (doc.title, doc.units) == (TITLE, markdown_note.units)


def test_a_word_cut_at_a_hyphen_at_the_end_of_a_pdf_line_is_joined(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", "", 11)
    for line in ("Le service du back-", "office ferme à 17 h le vendredi, et le rez-de-", "chaussée reste ouvert."):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "note.pdf"))
    (unit,) = read_file(tmp_path / "note.pdf").units
    assert unit.text == "Le service du back-office ferme à 17 h le vendredi, et le rez-de-chaussée reste ouvert."


def test_html_keeps_the_main_content_only(tmp_path):
    doc = read_file(write_note("html", tmp_path))
    text = " ".join(" ".join((u.text, *u.items)) for u in doc.units)
    for noise in ("Intranet RH", "Paie et congés", "cookies", "Menu principal", "font-family", "Actualités",
                  "séminaire", "Mentions légales", "script", "Bienvenue sur le portail"):
        assert noise not in text
    assert "Votre badge nominatif" in text


def test_html_without_main_reads_the_body_less_its_noise(tmp_path):
    page = (
        "<html><head><title>Télétravail - Intranet</title></head><body><nav>Accueil | Annuaire</nav>"
        "<div class='content'><h2>Règles</h2><div>Le télétravail est possible <b>deux jours</b> par semaine.<br>"
        "Le mardi est <em>obligatoire</em> au bureau.</div><div hidden>Brouillon caché.</div>"
        "<p style='display: none'>Texte masqué.</p><!-- commentaire --><h2>Exceptions</h2><p>Sur accord écrit.</p>"
        "</div></body></html>"
    )
    (tmp_path / "teletravail.html").write_text(page, encoding="utf-8")
    doc = read_file(tmp_path / "teletravail.html")
    assert doc.title == "Télétravail - Intranet"  # no <h1>: the page's <title>
    assert [(u.section, u.text) for u in doc.units] == [
        (("Règles",), "Le télétravail est possible deux jours par semaine. Le mardi est obligatoire au bureau."),
        (("Exceptions",), "Sur accord écrit."),
    ]


def test_markdown_inline_markup_links_code_and_nested_lists(tmp_path):
    (tmp_path / "outils.md").write_text(
        "# Outils\n\n## Logiciels\n\nLes **factures** sont saisies dans [SAP](https://sap.example) :\n\n"
        "- la saisie\n  - des avoirs\n- le `lettrage`\n\n```\ncode ignoré\n```\n\n### Sous-partie\n\nTexte final.\n",
        encoding="utf-8",
    )
    doc = read_file(tmp_path / "outils.md")
    assert doc.title == "Outils"
    assert [(u.section, u.text, u.items) for u in doc.units] == [
        (("Logiciels",), "Les factures sont saisies dans SAP :", ("la saisie", "des avoirs", "le lettrage")),
        (("Logiciels", "Sous-partie"), "Texte final.", ()),
    ]


def test_docx_headings_by_style_numbered_lists_and_tables(tmp_path):
    import docx

    document = docx.Document()
    document.core_properties.title = "Congés et absences"
    document.add_heading("Poser un congé", 1)
    document.add_paragraph("Les étapes sont les suivantes :")
    for step in ("ouvrir Kelio", "choisir les dates"):
        document.add_paragraph(step, style="List Number")
    document.add_heading("Délais", 1)
    table = document.add_table(rows=2, cols=2)
    for row, (kind, delay) in zip(table.rows, (("Congés d'été", "un mois"), ("RTT", "une semaine")), strict=True):
        row.cells[0].text, row.cells[1].text = kind, delay
    document.save(str(tmp_path / "conges.docx"))
    doc = read_file(tmp_path / "conges.docx")
    assert doc.title == "Congés et absences"  # the properties' title: no heading is above all the others
    assert [(u.section, u.text, u.items) for u in doc.units] == [
        (("Poser un congé",), "Les étapes sont les suivantes :", ("ouvrir Kelio", "choisir les dates")),
        (("Délais",), "", ("Congés d'été : un mois", "RTT : une semaine")),
    ]


def test_plain_text_keeps_the_guide_and_reads_headings_and_bullets(settings, tmp_path):
    guide = read_file(settings.knowledge_dir / "gestionnaire-back-office.fr.txt")
    assert guide.title == "Comment devenir gestionnaire de back office ?"
    assert len(guide.units) == 4 and not guide.has_sections
    (tmp_path / "note.txt").write_bytes(
        "Badges\r\n\r\nLe badge est remis à l'accueil.\r\n\r\nEn cas de perte\r\n\r\nPrévenez :\r\n- l'accueil ;\r\n"
        "- votre responsable.\r\n".encode("cp1252")
    )
    doc = read_file(tmp_path / "note.txt")
    assert doc.title == "Badges"
    assert [(u.section, u.text, u.items) for u in doc.units] == [
        ((), "Le badge est remis à l'accueil.", ()),
        (("En cas de perte",), "Prévenez :", ("l'accueil ;", "votre responsable.")),
    ]


def _encrypted_pdf(tmp_path, name):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(write_note("pdf", tmp_path, "clair")))
    writer.encrypt(user_password="secret", owner_password="proprietaire", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    (tmp_path / name).write_bytes(buffer.getvalue())


def _scanned_pdf(tmp_path, name):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(200, 200, 200)
    pdf.rect(20, 20, 150, 200, style="F")  # a page image, no text layer
    pdf.output(str(tmp_path / name))


BAD_DOCUMENTS = {
    "wrong_extension": ("tableau.xlsx", lambda tmp, name: (tmp / name).write_bytes(b"PK\x03\x04 tableur")),
    "empty": ("vide.md", lambda tmp, name: (tmp / name).write_bytes(b"")),
    "empty ": ("titres.md", lambda tmp, name: (tmp / name).write_text("# Titre\n\n## Partie\n\n   \n", "utf-8")),
    "unreadable": ("faux.pdf", lambda tmp, name: (tmp / name).write_bytes(b"%PDF-1.4 ceci n'est pas un PDF")),
    "unreadable ": ("faux.docx", lambda tmp, name: (tmp / name).write_bytes(b"pas un fichier Word")),
    "unreadable  ": ("photo.txt", lambda tmp, name: (tmp / name).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")),
    "encrypted_pdf": ("protege.pdf", _encrypted_pdf),
    "scanned_pdf": ("scan.pdf", _scanned_pdf),
}


@pytest.mark.parametrize("code", list(BAD_DOCUMENTS))
def test_each_bad_document_gets_its_french_error(tmp_path, code, error_texts):
    name, write = BAD_DOCUMENTS[code]
    write(tmp_path, name)
    with pytest.raises(DocumentError) as caught:
        read_file(tmp_path / name)
    assert caught.value.code == code.strip()
    message = caught.value.message(error_texts)
    assert f"« {name} » n'est pas lu" in message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, error_texts):
    path = tmp_path / "enorme.pdf"
    with open(path, "wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)  # sparse: 20 MB and one byte, written in no time
    with pytest.raises(DocumentError) as caught:
        read_file(path)
    assert caught.value.code == "too_large"
    assert caught.value.message(error_texts) == (
        "« enorme.pdf » n'est pas lu : le fichier dépasse la taille maximale de 20 Mo."
    )


def test_a_folder_reports_bad_documents_and_reads_the_others(tmp_path, error_texts):
    write_note("md", tmp_path, "accueil")
    write_note("docx", tmp_path, "nouveaux")  # same title as accueil.md, read before it
    (tmp_path / "zz-autre.html").write_text("<h1>Autre note</h1><p>Une phrase.</p>", encoding="utf-8")
    for code in ("wrong_extension", "scanned_pdf"):
        name, write = BAD_DOCUMENTS[code]
        write(tmp_path, name)
    (tmp_path / "~$accueil.docx").write_bytes(b"lock file of an open Word document")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    reading = read_folder(tmp_path)
    assert [d.name for d in reading.documents] == ["accueil.md", "zz-autre.html"]
    assert sorted((e.code, e.name) for e in reading.errors) == [
        ("duplicate_title", "nouveaux.docx"), ("scanned_pdf", "scan.pdf"), ("wrong_extension", "tableau.xlsx"),
    ]
    duplicate = next(e for e in reading.errors if e.code == "duplicate_title")
    assert duplicate.message(error_texts) == (
        "« nouveaux.docx » n'est pas lu : il a le même titre (« Accueil des nouveaux arrivants ») que "
        "« accueil.md ». Changez le titre de l'un des deux."
    )
