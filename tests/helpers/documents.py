"""Writes a small Markdown-like note (tests/data/hr_note.md) as the files HR has: Word, PDF, HTML page.

The note is parsed here by hand (the test's own reading of it, independent of the readers under test):
'# ' title, '## ' sections, '- ' list items, other blocks paragraphs.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from backoffice_career.settings import ROOT

HR_NOTE = ROOT / "tests" / "data" / "hr_note.md"
HR_NOTE_DEV = ROOT / "tests" / "data" / "hr_note_dev.yml"


@dataclass(frozen=True)
class NoteBlock:
    kind: str  # "title", "section", "paragraph" or "list"
    text: str = ""
    items: tuple[str, ...] = ()


def parse_note(text: str) -> list[NoteBlock]:
    blocks: list[NoteBlock] = []
    for chunk in (c.strip() for c in text.split("\n\n")):
        lines = chunk.splitlines()
        if not chunk:
            continue
        if chunk.startswith("## "):
            blocks.append(NoteBlock("section", chunk[3:]))
        elif chunk.startswith("# "):
            blocks.append(NoteBlock("title", chunk[2:]))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(NoteBlock("list", items=tuple(line[2:] for line in lines)))
        else:
            blocks.append(NoteBlock("paragraph", " ".join(lines)))
    return blocks


def note_blocks(path: Path = HR_NOTE) -> list[NoteBlock]:
    return parse_note(path.read_text(encoding="utf-8"))


def write_docx(blocks: list[NoteBlock], out: Path) -> Path:
    import docx

    document = docx.Document()
    for block in blocks:
        if block.kind == "title":
            document.add_heading(block.text, 0)  # the "Title" style
        elif block.kind == "section":
            document.add_heading(block.text, 1)
        elif block.kind == "list":
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        else:
            document.add_paragraph(block.text)
    document.save(str(out))
    return out


# fpdf's core fonts are Latin-1: typographic characters a note may hold, in their plain form.
LATIN1 = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                        "\u2026": "...", "\u0153": "oe", "\u0152": "OE", "\u202f": " ", "\u2009": " "})


def write_pdf(blocks: list[NoteBlock], out: Path, line_width: float = 0) -> Path:
    """A text PDF: title in 20 pt bold, sections in 15 pt bold, body in 11 pt, list items after "- "."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    styles = {"title": ("B", 20, 10), "section": ("B", 15, 9), "paragraph": ("", 11, 6), "list": ("", 11, 6)}
    for block in blocks:
        style, size, height = styles[block.kind]
        pdf.set_font("helvetica", style, size)
        for text in [f"- {i}" for i in block.items] if block.kind == "list" else [block.text]:
            pdf.multi_cell(line_width, height, text.translate(LATIN1), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.output(str(out))
    return out


PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{title} - Intranet RH</title>
<style>body {{ font-family: sans-serif; }} .menu::before {{ content: "Menu principal"; }}</style>
<script>var tracker = "Cliquez ici pour accepter les cookies du portail";</script>
</head><body>
<header><a href="/">Intranet RH</a> <span>Bienvenue sur le portail des collaborateurs</span></header>
<nav class="menu"><ul><li><a href="/paie">Paie et congés</a></li><li><a href="/annuaire">Annuaire</a></li></ul></nav>
<main>
{content}
</main>
<aside><h2>Actualités</h2><p>Le séminaire annuel aura lieu en juin.</p></aside>
<footer><p>Mentions légales - Plan du site</p></footer>
<script>document.write("Contenu ajouté par un script.");</script>
</body></html>
"""


def write_html(blocks: list[NoteBlock], out: Path) -> Path:
    parts = []
    for block in blocks:
        if block.kind == "title":
            parts.append(f"<h1>{html.escape(block.text)}</h1>")
        elif block.kind == "section":
            parts.append(f"<h2>{html.escape(block.text)}</h2>")
        elif block.kind == "list":
            parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in block.items) + "</ul>")
        else:
            parts.append(f"<p>{html.escape(block.text)}</p>")
    title = next(b.text for b in blocks if b.kind == "title")
    out.write_text(PAGE.format(title=html.escape(title), content="\n".join(parts)), encoding="utf-8")
    return out


def write_note(fmt: str, out_dir: Path, stem: str = "accueil", source: Path = HR_NOTE) -> Path:
    """The HR note `source` as a `fmt` file ("md", "docx", "pdf" or "html") in `out_dir`."""
    out = out_dir / f"{stem}.{fmt}"
    if fmt == "md":
        out.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        return out
    writers = {"docx": write_docx, "pdf": write_pdf, "html": write_html}
    return writers[fmt](note_blocks(source), out)


def guide_with_note(folder: Path, settings, normalizer, topic_specs, name: str, text: str):
    """A knowledge base of the guide plus the note `text` (file `name`), built into SQLite under `folder`; the
    caller disposes of its engine."""
    import shutil

    from backoffice_career.knowledge.factory import build_knowledge_base

    knowledge = folder / "knowledge"
    shutil.copytree(settings.knowledge_dir, knowledge)
    (knowledge / name).write_text(text, "utf-8")
    return build_knowledge_base(f"sqlite:///{folder / 'kb.sqlite'}", knowledge, normalizer, topic_specs)


def guide_and_note(tmp_path_factory, settings, normalizer, topic_specs, name: str, text: str):
    """The body of a module fixture (`yield from`): guide_with_note in a fresh folder, disposed of afterwards."""
    kb = guide_with_note(tmp_path_factory.mktemp(Path(name).stem), settings, normalizer, topic_specs, name, text)
    yield kb
    kb.engine.dispose()
