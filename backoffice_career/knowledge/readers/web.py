"""HTML pages (.html, .htm) by Beautiful Soup on lxml: the main content only. Scripts, styles, forms,
navigation, page header and footer, side bars and hidden elements are removed; the reading starts at
<main> (or role="main", else <article>, else <body>)."""
from __future__ import annotations

from bs4 import BeautifulSoup, NavigableString, Tag

from backoffice_career.knowledge.readers.blocks import Heading, ListBlock, Paragraph, RawDocument
from backoffice_career.knowledge.readers.word import CELL_SEPARATOR

NOISE_TAGS = [
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button",
    "iframe", "svg", "canvas", "select", "dialog", "menu",
]
NOISE_ROLES = ["navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog"]
HEADINGS = {f"h{n}": n for n in range(1, 7)}
LISTS = {"ul", "ol", "dl"}
PARAGRAPHS = {"p", "pre", "address", "figcaption", "dd", "dt", "summary", "caption"}
CONTAINERS = {"div", "section", "article", "main", "blockquote", "details", "figure", "body", "center", "li", "td"}


def _remove_noise(root: Tag) -> None:
    for tag in root.find_all(NOISE_TAGS):
        tag.decompose()
    for tag in root.find_all(True, {"role": NOISE_ROLES}):
        tag.decompose()
    for tag in root.find_all(True, {"hidden": True}):
        tag.decompose()
    for tag in root.find_all(True, {"aria-hidden": "true"}):
        tag.decompose()
    for tag in root.find_all(style=True):
        style = str(tag.get("style", "")).replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            tag.decompose()


def _has_blocks(tag: Tag) -> bool:
    names = set(HEADINGS) | LISTS | PARAGRAPHS | CONTAINERS | {"table"}
    return tag.find(list(names)) is not None


def _list_items(tag: Tag) -> tuple[str, ...]:
    """The items of a list; nested lists give items of their own."""
    items = []
    for item in tag.find_all(["li", "dt", "dd"]):
        own = "".join(
            t.get_text() if isinstance(t, Tag) else str(t) if type(t) is NavigableString else ""
            for t in item.children
            if not (isinstance(t, Tag) and t.name in LISTS)
        )
        items.append(own)
    return tuple(items)


def _table_rows(tag: Tag) -> tuple[str, ...]:
    rows = []
    for row in tag.find_all("tr"):
        cells = [c.get_text().strip() for c in row.find_all(["th", "td"])]
        rows.append(CELL_SEPARATOR.join(c for c in cells if c))
    return tuple(rows)


def _walk(tag: Tag, doc: RawDocument) -> None:
    """Blocks of `tag` in reading order: text directly inside a container becomes a paragraph."""
    loose: list[str] = []
    for child in tag.children:
        if not isinstance(child, Tag):
            if type(child) is NavigableString:  # not a comment, a doctype or a processing instruction
                loose.append(str(child))
            continue
        name = child.name
        if name in HEADINGS or name in LISTS or name in PARAGRAPHS or name == "table" or _has_blocks(child):
            doc.add(Paragraph("".join(loose)))
            loose = []
        if name in HEADINGS:
            doc.add(Heading(HEADINGS[name], child.get_text()))
        elif name in LISTS:
            doc.add(ListBlock(_list_items(child)))
        elif name == "table":
            doc.add(ListBlock(_table_rows(child)))
        elif name in PARAGRAPHS:
            doc.add(Paragraph(child.get_text()))
        elif _has_blocks(child):
            _walk(child, doc)
        else:
            loose.append(child.get_text())
    doc.add(Paragraph("".join(loose)))


def read_web(data: bytes, _name: str = "") -> RawDocument:
    soup = BeautifulSoup(data, "lxml")
    title = soup.title.get_text(" ").strip() if soup.title else ""
    body = soup.body or soup
    _remove_noise(body)
    for line_break in body.find_all("br"):
        line_break.replace_with("\n")
    root = body.find("main") or body.find(True, {"role": "main"}) or body.find("article") or body
    doc = RawDocument(metadata_title=title)
    if isinstance(root, Tag):
        _walk(root, doc)
    return doc
