"""The Rasa server's patches on the trained model (spacy_exclude.py, graph_runner.py): the same predictions as
Rasa's own load, one spaCy model for the whole graph."""
from __future__ import annotations

import asyncio

import pytest

from rasa_server.patches import install_all, spacy_exclude, uninstall_all
from scripts.nlu_eval import HELDOUT, load_examples
from tests.helpers.faq import MODEL


def prediction(parse):
    """What a load could change: the intent, every confidence of the ranking, the entities."""
    return (
        parse["intent"]["name"],
        [(r["name"], round(r["confidence"], 6)) for r in parse.get("intent_ranking") or []],
        [(e["entity"], e["start"], e["end"], e.get("value")) for e in parse.get("entities") or []],
    )


def load_agent():
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


def parse_all(agent, texts):
    async def run():
        return [prediction(await agent.parse_message(t)) for t in texts]

    return asyncio.run(run())


@pytest.fixture(scope="module")
def texts():
    return [text for text, _ in load_examples(HELDOUT)]


@pytest.fixture(scope="module")
def reference(batch_nlu, texts):
    """Rasa's own load (batch_nlu loads without the patches), one message at a time as the server parses."""
    assert not spacy_exclude.install.installed
    return [prediction(batch_nlu.parse_one(t)) for t in texts]


@pytest.fixture
def patched():
    """Every patch, as the Rasa server runs (rasa_server/__main__.py)."""
    install_all()
    try:
        yield
    finally:
        uninstall_all()


def test_the_patched_load_predicts_exactly_what_rasas_own_load_predicts(reference, texts, patched):
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    agent = load_agent()
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    spacy_components = [n._component for n in nodes if isinstance(n._component, SpacyNLP)]
    assert len(spacy_components) == 2  # Rasa's provide and run nodes ...
    assert len({id(c.provide().model) for c in spacy_components}) == 1  # ... share one spaCy model
    assert len(texts) > 300
    assert parse_all(agent, texts) == reference
