"""From blocks to the units that passages are cut from: the title, then paragraphs and lists, each
with its section (the path of the headings above it) and its paragraph number. Headings are never units."""
from __future__ import annotations

from dataclasses import dataclass

from backoffice_career.knowledge.readers.blocks import Block, Heading, ListBlock, Paragraph, RawDocument


@dataclass(frozen=True)
class Unit:
    """A paragraph, or a list with its lead-in (the paragraph just before it, in the same section).

    `text` is the paragraph; `items` the list's items. Passages are cut from `text` by sentence;
    the list stays with the last sentence of `text` (its lead-in) in one passage.
    """

    paragraph: int
    section: tuple[str, ...]
    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class StructuredDocument:
    name: str
    title: str
    units: tuple[Unit, ...]

    @property
    def paragraphs(self) -> list[str]:
        """The text of each unit (its list items after it)."""
        return [" ".join((u.text, *u.items)).strip() for u in self.units]

    @property
    def has_sections(self) -> bool:
        return any(u.section for u in self.units)


def _title_heading(blocks: list[Block]) -> Heading | None:
    """The first block, when it is a heading above every other heading."""
    if not blocks or not isinstance(blocks[0], Heading):
        return None
    first = blocks[0]
    others = [b for b in blocks[1:] if isinstance(b, Heading)]
    return first if all(h.level > first.level for h in others) else None


def structure(name: str, stem: str, raw: RawDocument) -> StructuredDocument:
    blocks = list(raw.blocks)
    heading = _title_heading(blocks)
    if heading is not None:
        blocks.pop(0)
    title = heading.text if heading else (raw.metadata_title or stem)
    units: list[Unit] = []
    path: list[Heading] = []
    for block in blocks:
        if isinstance(block, Heading):
            path = [h for h in path if h.level < block.level] + [block]
            continue
        section = tuple(h.text for h in path)
        if isinstance(block, Paragraph):
            units.append(Unit(len(units) + 1, section, block.text))
        elif isinstance(block, ListBlock):
            previous = units[-1] if units else None
            if previous is not None and previous.section == section and not previous.items:
                units[-1] = Unit(previous.paragraph, section, previous.text, block.items)
            else:
                units.append(Unit(len(units) + 1, section, "", block.items))
    return StructuredDocument(name=name, title=title, units=tuple(units))
