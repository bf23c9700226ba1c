"""PDF text layer by pypdf. Lines are rebuilt from the text fragments with their font size and height
on the page: a line in a larger font than the body is a heading (one level per size), a wider gap
starts a paragraph, a line starting with a bullet starts a list item. A PDF without any text (a scan)
and a PDF locked by a password are errors."""
from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pypdf import PasswordType, PdfReader

from backoffice_career.knowledge.readers.blocks import DocumentError, Heading, ListBlock, Paragraph, RawDocument

HEADING_RATIO = 1.15  # a heading's font is at least this much larger than the body's
PARAGRAPH_GAP = 1.45  # a gap this much larger than the usual line spacing starts a paragraph
HEADING_LINE_GAP = 2.2  # lines of one heading are at most this many times its font size apart
BULLET = re.compile(r"^(?:[-*•–▪◦]|\d+[.)])\s+")
PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d+(?:\s*/\s*\d+)?$", re.IGNORECASE)
TERMINAL = (".", "!", "?", ":", ";", "»", "…")


@dataclass
class Line:
    page: int
    y: float
    size: float
    text: str


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def _page_lines(reader: PdfReader, page_number: int) -> list[Line]:
    lines: list[Line] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        if not text.strip():
            return
        matrix = _multiply([float(x) for x in tm], [float(x) for x in cm])
        y, height = matrix[5], abs(size * matrix[3]) or abs(size)
        if lines and abs(lines[-1].y - y) < max(height, lines[-1].size) * 0.5:
            lines[-1].text += text
            lines[-1].size = max(lines[-1].size, height)
        else:
            lines.append(Line(page_number, y, height, text))

    reader.pages[page_number].extract_text(visitor_text=visit)
    return [line for line in lines if not PAGE_NUMBER.match(line.text.strip())]


def _open(data: bytes, name: str) -> PdfReader:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise DocumentError("encrypted_pdf", name)
    return reader


def _body_size(lines: list[Line]) -> float:
    """The font size carrying the most characters."""
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0]


def _usual_gap(lines: list[Line], body: float) -> float:
    gaps = [
        round(a.y - b.y, 1)
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and abs(a.size - body) < 0.5 and abs(b.size - body) < 0.5 and a.y > b.y
    ]
    return Counter(gaps).most_common(1)[0][0] if gaps else body * 1.2


def _group(lines: list[Line], body: float) -> list[tuple[str, list[Line]]]:
    """Consecutive lines of one block: ("heading", lines) or ("text", lines)."""
    gap = _usual_gap(lines, body)
    groups: list[tuple[str, list[Line]]] = []
    for line in lines:
        kind = "heading" if line.size >= body * HEADING_RATIO else "text"
        previous = groups[-1][1][-1] if groups else None
        same = previous is not None and groups[-1][0] == kind and abs(previous.size - line.size) < 0.5
        if same and previous is not None:
            if previous.page != line.page:
                same = not previous.text.rstrip().endswith(TERMINAL)
            else:  # a heading's lines are spaced by its own size
                limit = line.size * HEADING_LINE_GAP if kind == "heading" else gap * PARAGRAPH_GAP
                same = previous.y - line.y <= limit
        if same:
            groups[-1][1].append(line)
        else:
            groups.append((kind, [line]))
    return groups


def _add_text(doc: RawDocument, lines: list[Line]) -> None:
    """A text block: its lines up to the first bullet form a paragraph, the rest list items."""
    paragraph: list[str] = []
    items: list[str] = []
    for line in lines:
        text = line.text.strip()
        if BULLET.match(text):
            items.append(BULLET.sub("", text))
        elif items:
            items[-1] += "\n" + text
        else:
            paragraph.append(text)
    doc.add(Paragraph("\n".join(paragraph)))
    doc.add(ListBlock(tuple(items)))


def read_pdf(data: bytes, name: str) -> RawDocument:
    reader = _open(data, name)
    lines = [line for n in range(len(reader.pages)) for line in _page_lines(reader, n)]
    metadata = reader.metadata
    doc = RawDocument(metadata_title=str(metadata.title or "").strip() if metadata else "")
    if not lines:
        raise DocumentError("scanned_pdf", name)
    body = _body_size(lines)
    heading_sizes = sorted({round(line.size, 1) for line in lines if line.size >= body * HEADING_RATIO}, reverse=True)
    for kind, group in _group(lines, body):
        if kind == "heading":
            level = heading_sizes.index(round(group[0].size, 1)) + 1
            doc.add(Heading(level, "\n".join(line.text for line in group)))
        else:
            _add_text(doc, group)
    return doc
