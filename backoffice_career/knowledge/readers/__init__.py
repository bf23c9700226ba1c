"""Readers of HR documents, one module per format, all producing blocks (readers/blocks.py) that
readers/structure.py turns into titled, sectioned units. read_folder() reads a whole folder: a bad
document is reported (DocumentError) and the others are still read."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from backoffice_career.knowledge.readers.blocks import DocumentError, RawDocument
from backoffice_career.knowledge.readers.structure import StructuredDocument, Unit, structure
from backoffice_career.knowledge.text import fold

__all__ = ["DocumentError", "FolderReading", "StructuredDocument", "Unit", "read_file", "read_folder", "SUFFIXES"]

# Suffix -> (module of this package, function(data, file name) -> RawDocument). Modules are imported on
# first use: the bot, which never reads documents, does not load the PDF, Word and HTML libraries.
READERS: dict[str, tuple[str, str]] = {
    ".txt": ("plain", "read_plain"),
    ".md": ("markdown", "read_markdown"),
    ".markdown": ("markdown", "read_markdown"),
    ".pdf": ("pdf", "read_pdf"),
    ".docx": ("word", "read_word"),
    ".html": ("web", "read_web"),
    ".htm": ("web", "read_web"),
}
SUFFIXES = tuple(READERS)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def reader_for(suffix: str) -> Callable[[bytes, str], RawDocument] | None:
    entry = READERS.get(suffix.lower())
    if entry is None:
        return None
    module = importlib.import_module(f"{__name__}.{entry[0]}")
    reader: Callable[[bytes, str], RawDocument] = getattr(module, entry[1])
    return reader


def is_ignored(path: Path) -> bool:
    """Hidden files and the lock files office programs leave next to an open document."""
    return path.name.startswith((".", "~$")) or not path.is_file()


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> StructuredDocument:
    """One document, or DocumentError: wrong extension, too large, unreadable, encrypted, scanned, empty."""
    reader = reader_for(path.suffix)
    if reader is None:
        raise DocumentError("wrong_extension", path.name, formats=", ".join(SUFFIXES))
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentError("too_large", path.name, max_mb=max_bytes // (1024 * 1024))
    if size == 0:
        raise DocumentError("empty", path.name)
    try:
        raw = reader(path.read_bytes(), path.name)
    except DocumentError:
        raise
    except Exception as exc:  # any library's error on a damaged or mislabelled file
        raise DocumentError("unreadable", path.name) from exc
    document = structure(path.name, path.stem, raw)
    if not document.units:
        raise DocumentError("empty", path.name)
    return document


@dataclass
class FolderReading:
    documents: list[StructuredDocument] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)


def read_folder(directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> FolderReading:
    """Every document of `directory` in name order; a second document with the same title is an error."""
    reading = FolderReading()
    titles: dict[str, str] = {}
    for path in sorted(p for p in directory.iterdir() if not is_ignored(p)):
        try:
            document = read_file(path, max_bytes)
            other = titles.get(fold(document.title))
            if other is not None:
                raise DocumentError("duplicate_title", path.name, other=other, title=document.title)
        except DocumentError as error:
            reading.errors.append(error)
            continue
        titles[fold(document.title)] = path.name
        reading.documents.append(document)
    return reading
