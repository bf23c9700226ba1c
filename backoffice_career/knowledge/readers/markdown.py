"""Markdown (.md) by markdown-it-py (CommonMark): headings, paragraphs and lists; code and raw HTML
are left out."""
from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from backoffice_career.knowledge.readers.blocks import Heading, ListBlock, Paragraph, RawDocument
from backoffice_career.knowledge.readers.plain import decode

_PARSER = MarkdownIt("commonmark")
_BREAKS = {"softbreak", "hardbreak"}


def inline_text(token: Token) -> str:
    """The plain text of an inline token: words and inline code, no markup, no link targets."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in _BREAKS:
            parts.append("\n")
    return "".join(parts)


def blocks_of(tokens: Sequence[Token]) -> RawDocument:
    doc = RawDocument()
    items: list[str] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                doc.add(ListBlock(tuple(items)))
                items = []
        elif token.type == "list_item_open":
            items.append("")
        elif token.type == "inline" and index > 0:
            opener = tokens[index - 1]
            text = inline_text(token)
            if opener.type == "heading_open":
                doc.add(Heading(int(opener.tag[1:]), text))
            elif depth and items:
                items[-1] = f"{items[-1]}\n{text}" if items[-1] else text
            elif opener.type == "paragraph_open":
                doc.add(Paragraph(text))
    return doc


def read_markdown(data: bytes, _name: str = "") -> RawDocument:
    return blocks_of(_PARSER.parse(decode(data)))
