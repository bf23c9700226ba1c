"""Word (.docx) by python-docx: headings by paragraph style (Heading/Titre N, Title), list paragraphs by
style or numbering, table rows as list items; the title of the document properties if set."""
from __future__ import annotations

import io
import re

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph as WordParagraph

from backoffice_career.knowledge.readers.blocks import Heading, ListBlock, Paragraph, RawDocument

_HEADING_STYLE = re.compile(r"^(?:heading|titre)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "titre"}
_LIST_STYLE = re.compile(r"\blist[e]?\b", re.IGNORECASE)
CELL_SEPARATOR = " : "


def _style_names(paragraph: WordParagraph) -> list[str]:
    """The names of the paragraph's style and of the styles it is based on."""
    names: list[str] = []
    style = paragraph.style
    while style is not None and len(names) < 10:
        names.append((style.name or "").strip())
        style = style.base_style
    return names


def _heading_level(names: list[str]) -> int | None:
    for name in names:
        if name.lower() in _TITLE_STYLES:
            return 1
        match = _HEADING_STYLE.match(name)
        if match:
            return int(match.group(1)) + 1  # Heading 1 sits under the Title
    return None


def _is_list_item(paragraph: WordParagraph, names: list[str]) -> bool:
    p_pr = paragraph._p.pPr
    return (p_pr is not None and p_pr.numPr is not None) or any(_LIST_STYLE.search(n) for n in names)


def _add_table(doc: RawDocument, table: Table) -> None:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        rows.append(CELL_SEPARATOR.join(cells))
    doc.add(ListBlock(tuple(rows)))


def read_word(data: bytes, _name: str = "") -> RawDocument:
    document = docx.Document(io.BytesIO(data))
    doc = RawDocument(metadata_title=(document.core_properties.title or "").strip())
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            _add_table(doc, block)
            continue
        names = _style_names(block)
        level = _heading_level(names)
        if level is not None:
            doc.add(Heading(level, block.text))
        elif _is_list_item(block, names):
            doc.add(ListBlock((block.text,)))
        else:
            doc.add(Paragraph(block.text))
    return doc
