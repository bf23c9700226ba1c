"""What every reader produces: the blocks of a document (headings, paragraphs, lists) and its errors."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPACES = re.compile(r"\s+")
# A line ending in a hyphen after a letter, followed by a line: the word goes on (kept whole, hyphen kept).
_HYPHEN_BREAK = re.compile(r"(?<=\w)-\s*\n\s*(?=\w)")


def clean(text: str) -> str:
    """One line of text: line breaks and runs of spaces become one space; a word cut at a hyphen at
    the end of a line is joined again; soft hyphens and zero-width characters go."""
    text = text.replace("\u00ad", "").replace("\u200b", "").replace("\ufeff", "")
    return _SPACES.sub(" ", _HYPHEN_BREAK.sub("-", text)).strip()


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = the highest
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class ListBlock:
    items: tuple[str, ...]


Block = Heading | Paragraph | ListBlock


@dataclass
class RawDocument:
    """A document as read: its blocks in reading order, and the title its metadata gives, if any."""

    blocks: list[Block] = field(default_factory=list)
    metadata_title: str = ""

    def add(self, block: Block) -> None:
        """Appends a block; empty ones are dropped, and a list continues a list just before it."""
        if isinstance(block, ListBlock):
            items = tuple(i for i in (clean(t) for t in block.items) if i)
            if not items:
                return
            last = self.blocks[-1] if self.blocks else None
            if isinstance(last, ListBlock):
                items = last.items + items
                self.blocks.pop()
            self.blocks.append(ListBlock(items))
            return
        text = clean(block.text)
        if text:
            self.blocks.append(Heading(block.level, text) if isinstance(block, Heading) else Paragraph(text))


class DocumentError(Exception):
    """A document that cannot be read. `code` names the French message of data/kb/kb.yml (documents.errors),
    filled with the file name and `params`."""

    def __init__(self, code: str, name: str, **params: object) -> None:
        super().__init__(f"{name}: {code}")
        self.code = code
        self.name = name
        self.params = params

    def message(self, texts: dict[str, str]) -> str:
        return texts[self.code].format(name=self.name, **self.params)
