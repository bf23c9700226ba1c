"""The running servers load only what they use: no JAX (backoffice_career/no_jax.py)."""
from __future__ import annotations

import uuid
from pathlib import Path


def test_neither_server_maps_jax_once_it_has_answered(bot):
    """TensorFlow (Rasa server) and bm25s (action server) would import JAX and its XLA library."""
    replies = bot.texts("Comment devenir gestionnaire de back-office ?", f"footprint-{uuid.uuid4().hex[:8]}")
    assert any("Source" in reply for reply in replies), replies  # the model and the knowledge base both ran
    for name in ("rasa", "actions"):
        maps = Path(f"/proc/{bot.servers.processes[name].pid}/maps").read_text()
        assert "jaxlib" not in maps, f"the {name} server mapped JAX's XLA library"
