"""Errors of the knowledge base, and the translation of database errors into them."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError


class KnowledgeBaseUnavailable(Exception):
    """The knowledge base is missing, empty or unreachable."""


NO_PASSAGE = "the knowledge base has no passage; run the build first"


@contextmanager
def database_errors() -> Iterator[None]:
    """Database errors become KnowledgeBaseUnavailable."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise KnowledgeBaseUnavailable(str(exc)) from exc
