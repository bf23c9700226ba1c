"""The guard every patch of Rasa's internals goes through: one Rasa version, installed once, undoable.

A patch is a function returning the Rasa attributes it replaces, decorated with the Rasa version
it was written for (a literal: bumping Rasa must make someone re-read every patch):

    @rasa_patch(written_for="3.6.21")
    def install():
        '''Which Rasa behaviour it changes, and why.'''
        from rasa.core.processor import MessageProcessor
        return [(MessageProcessor, "handle_message", wrapped(MessageProcessor.handle_message))]

Calling `install()` first compares `rasa.__version__` with `written_for`: on a mismatch it raises
RasaVersionError before importing Rasa's internals or replacing anything. A second call does nothing.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

RASA_VERSION = "3.6.21"  # the Rasa pinned in requirements.txt, that the patches were checked against

Replacement = tuple[Any, str, Any]  # (class, attribute name, new value)
_ABSENT = object()


class RasaVersionError(RuntimeError):
    """A patch meets a Rasa version it was not written for."""


def rasa_version() -> str:
    import rasa

    return str(rasa.__version__)


class Patch:
    """A patch of Rasa's internals; calling it installs it (see the module docstring)."""

    def __init__(self, build: Callable[[], Iterable[Replacement]], written_for: str) -> None:
        functools.update_wrapper(self, build)  # the patch's name and docstring
        self.name = f"{build.__module__}.{build.__name__}"
        self.written_for = written_for
        self.build = build
        self.installed = False
        self.applied: list[tuple[Any, str, Any, Any]] = []  # class, attribute, Rasa's value, ours

    def check_version(self) -> None:
        found = rasa_version()
        if found != self.written_for:
            raise RasaVersionError(
                f"Rasa patch {self.name} was written for Rasa {self.written_for}, but Rasa {found} is "
                f"installed: not installed. Check the Rasa behaviour it changes in Rasa {found}, then "
                "update the patch, its test and its written_for (or install the Rasa of requirements.txt)."
            )

    def __call__(self) -> None:
        self.check_version()
        if self.installed:
            return
        replacements = list(self.build())  # built before anything is replaced
        for owner, attribute, new in replacements:
            self.applied.append((owner, attribute, vars(owner).get(attribute, _ABSENT), new))
            setattr(owner, attribute, new)
        self.installed = True

    def uninstall(self) -> None:
        """Rasa's own attributes back (tests); patches stacked on the same attribute go last in, first out."""
        for owner, attribute, _original, new in self.applied:
            if vars(owner).get(attribute) is not new:
                raise RuntimeError(f"{owner.__name__}.{attribute} was replaced after {self.name}: uninstall that first")
        for owner, attribute, original, _new in reversed(self.applied):
            if original is _ABSENT:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)
        self.applied.clear()
        self.installed = False


def rasa_patch(written_for: str) -> Callable[[Callable[[], Iterable[Replacement]]], Patch]:
    def decorate(build: Callable[[], Iterable[Replacement]]) -> Patch:
        return Patch(build, written_for)

    return decorate
