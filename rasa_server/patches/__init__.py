"""Patches of Rasa's internals, one file each, each guarded by the Rasa version it was written for (guard.py).

`install_all()` (rasa_server/__main__.py, before Rasa starts) checks every patch's version first,
so that a Rasa they were not written for raises RasaVersionError with nothing patched, then
installs them in order. Installing twice is harmless.
"""
from __future__ import annotations

from rasa_server.patches import (
    action_keepalive,
    action_result_validation,
    action_timeout,
    event_lookup,
    fault_apology,
    fifo_gate,
    graph_runner,
    spacy_exclude,
    tracker_store_faults,
)
from rasa_server.patches.guard import RASA_VERSION, Patch, RasaVersionError

__all__ = ["PATCHES", "RASA_VERSION", "RasaVersionError", "install_all", "uninstall_all"]

# In installation order: fault_apology wraps the message handling that fifo_gate gates.
PATCHES: tuple[Patch, ...] = (
    action_result_validation.install,
    event_lookup.install,
    tracker_store_faults.install,
    action_timeout.install,
    action_keepalive.install,
    fifo_gate.install,
    fault_apology.install,
    spacy_exclude.install,
    graph_runner.install,
)


def install_all() -> None:
    for patch in PATCHES:
        patch.check_version()  # all or nothing
    for patch in PATCHES:
        patch()


def uninstall_all() -> None:
    """Rasa's own behaviour back, last patch first (tests)."""
    for patch in reversed(PATCHES):
        patch.uninstall()
