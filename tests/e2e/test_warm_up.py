"""The action server warms up (spaCy, knowledge base) when it registers the actions, never at import."""
from __future__ import annotations

import os
import subprocess
import sys

from backoffice_career.settings import ROOT

WARM_UP_PROBE = """
import sys
import actions.actions
from backoffice_career.knowledge import factory

imported = ("spacy" in sys.modules, factory._DEFAULT is not None)
executor = __import__("rasa_sdk.executor", fromlist=["ActionExecutor"]).ActionExecutor()
executor.register_package("actions")  # what the action server does at start-up, before it listens
print(imported, ("spacy" in sys.modules, factory._DEFAULT is not None), sorted(executor.actions))
"""


def test_the_warm_up_runs_at_action_server_start_up_not_at_import(kb):
    env = {**os.environ, "ACTIONS_WARM_UP": "1", "KB_DATABASE_URL": str(kb.engine.url)}
    command = [sys.executable, "-c", WARM_UP_PROBE]
    probe = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    out = probe.stdout.strip().splitlines()[-1]
    assert out.startswith("(False, False) (True, True) ")
    assert "'action_answer_topic'" in out and "'validate_profile_form'" in out
