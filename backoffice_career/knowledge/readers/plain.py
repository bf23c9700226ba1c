"""Plain text (.txt): blocks are separated by blank lines; a short line without final punctuation
followed by text is a heading (the first one is the title); lines starting with a bullet form a list."""
from __future__ import annotations

import re

from backoffice_career.knowledge.readers.blocks import Heading, ListBlock, Paragraph, RawDocument, clean

HEADING_MAX_CHARS = 150
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the encoding of older French Windows editors.
    Binary content (NUL bytes: an image or an office file renamed) is refused."""
    if b"\x00" in data:
        raise ValueError("binary content in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def is_heading(block: str) -> bool:
    line = clean(block).lstrip("#").strip()
    return "\n" not in block.strip() and len(line) <= HEADING_MAX_CHARS and not line.endswith((".", "!", ";", ":"))


def _add_block(doc: RawDocument, block: str) -> None:
    """A block of lines: its bulleted lines form a list, the lines before them its lead-in paragraph."""
    lines = block.split("\n")
    first_item = next((i for i, line in enumerate(lines) if _BULLET.match(line)), None)
    if first_item is None:
        doc.add(Paragraph(block))
        return
    doc.add(Paragraph("\n".join(lines[:first_item])))
    items: list[str] = []
    for line in lines[first_item:]:
        if _BULLET.match(line):
            items.append(_BULLET.sub("", line))
        elif items:
            items[-1] += "\n" + line
    doc.add(ListBlock(tuple(items)))


def read_text(text: str) -> RawDocument:
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))]
    blocks = [b for b in blocks if b.strip()]
    doc = RawDocument()
    for index, block in enumerate(blocks):
        followed = index + 1 < len(blocks) and not is_heading(blocks[index + 1])
        if is_heading(block) and followed and not _BULLET.match(block):
            doc.add(Heading(1 if index == 0 else 2, block.strip().lstrip("#")))
        else:
            _add_block(doc, block)
    return doc


def read_plain(data: bytes, _name: str = "") -> RawDocument:
    return read_text(decode(data))
