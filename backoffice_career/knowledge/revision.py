"""One reply, one knowledge-base revision: inside one_revision(), each knowledge base reads its index once."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backoffice_career.knowledge.index import Index

_PINNED: ContextVar[dict[object, Index] | None] = ContextVar("kb_pinned_index", default=None)


@contextmanager
def one_revision() -> Iterator[None]:
    """Every knowledge-base read inside answers from the revision current at the first one: a consistent
    reply, and one revision check instead of one per step (an action's reply)."""
    token = _PINNED.set({})
    try:
        yield
    finally:
        _PINNED.reset(token)


def pinned(owner: object, load: Callable[[], Index]) -> Index:
    """`load()`, called once per `owner` inside one_revision()."""
    pins = _PINNED.get()
    if pins is None:
        return load()
    index = pins.get(owner)
    if index is None:
        index = pins[owner] = load()
    return index
