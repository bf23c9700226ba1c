"""rasa_server/patches/guard.py, install_all and the launcher: one Rasa version, all or nothing, idempotent."""
from __future__ import annotations

import re

import pytest
import rasa
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

from backoffice_career.settings import ROOT
from rasa_server.patches import PATCHES, RASA_VERSION, RasaVersionError, fault_apology, fifo_gate, install_all

# every class the patches change
OWNERS = (RemoteAction, MessageProcessor, FailSafeTrackerStore, Event, SpacyNLP, EndpointConfig, DaskGraphRunner)
OTHER_RASA = "3.7.0"


def rasa_attributes():
    return {owner: dict(vars(owner)) for owner in OWNERS}


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: p.name.split(".")[-2])
def test_another_rasa_version_stops_the_patch_and_leaves_rasa_as_shipped(patch, monkeypatch):
    shipped = rasa_attributes()
    monkeypatch.setattr(rasa, "__version__", OTHER_RASA)
    with pytest.raises(RasaVersionError) as error:
        patch()
    message = str(error.value)
    assert patch.name in message and f"Rasa {RASA_VERSION}" in message and f"Rasa {OTHER_RASA}" in message
    assert rasa_attributes() == shipped and not patch.installed


def test_install_all_on_another_rasa_patches_nothing(monkeypatch):
    shipped = rasa_attributes()
    monkeypatch.setattr(rasa, "__version__", OTHER_RASA)
    with pytest.raises(RasaVersionError, match="action_result_validation"):
        install_all()
    assert rasa_attributes() == shipped and not any(p.installed for p in PATCHES)


def test_the_launcher_refuses_to_start_on_another_rasa(monkeypatch):
    from rasa_server.__main__ import main

    shipped = rasa_attributes()
    monkeypatch.setattr(rasa, "__version__", OTHER_RASA)
    with pytest.raises(SystemExit) as stop:
        main()
    assert "was written for Rasa 3.6.21, but Rasa 3.7.0 is installed" in str(stop.value.code)
    assert rasa_attributes() == shipped


def test_installing_twice_changes_nothing_and_uninstalling_gives_rasa_back(monkeypatch):
    monkeypatch.delenv("MAX_CONCURRENT_MESSAGES", raising=False)
    shipped = rasa_attributes()
    install_all()
    patched = rasa_attributes()
    install_all()
    assert rasa_attributes() == patched != shipped
    assert all(p.installed and p.applied for p in PATCHES)
    assert {owner for p in PATCHES for owner, *_ in p.applied} <= set(OWNERS)
    with pytest.raises(RuntimeError, match="uninstall that first"):
        fifo_gate.install.uninstall()  # fault_apology wraps it
    fault_apology.install.uninstall()
    fifo_gate.install.uninstall()
    for patch in PATCHES:
        patch.uninstall()
    assert rasa_attributes() == shipped


def test_every_patch_was_written_for_the_pinned_rasa_and_says_what_it_changes():
    pin = re.search(r"^rasa==(\S+)$", (ROOT / "requirements.txt").read_text("utf-8"), re.M).group(1)
    assert RASA_VERSION == pin == rasa.__version__
    for patch in PATCHES:
        assert patch.written_for == RASA_VERSION
        assert "Rasa 3.6" in patch.__doc__ and len(patch.__doc__) > 200, patch.name


def test_the_launcher_adds_the_configured_cors_origins(monkeypatch):
    from rasa_server.__main__ import with_cors

    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    assert with_cors(["run", "--port", "5005"]) == ["run", "--port", "5005", "--cors", "https://a.example", "https://b.example"]
    assert with_cors(["run", "--cors", "https://c.example"]) == ["run", "--cors", "https://c.example"]
    assert with_cors(["run", "actions", "--port", "5055"]) == ["run", "actions", "--port", "5055"]
    assert with_cors(["train"]) == ["train"]
