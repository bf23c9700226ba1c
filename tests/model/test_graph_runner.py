"""rasa_server/patches/graph_runner.py: the trained model's graph gives what dask's scheduler gives, message after
message, for the NLU and for the policies of whole conversations."""
from __future__ import annotations

import asyncio

import pytest

from rasa_server.patches import graph_runner
from tests.helpers.bot_fixtures import require_model
from tests.helpers.faq import MODEL

# Conversations of our own: knowledge questions, the profile form, small talk, a plan, nonsense.
CONVERSATIONS = [
    ["bonjour", "c'est quoi un back office ?", "et dans une grande entreprise ?", "merci, au revoir"],
    ["salut", "je suis secrétaire depuis 4 ans", "oui j'ai formé deux stagiaires", "plutôt une PME",
     "je connais excel et un peu la compta", "j'ai un BTS", "fais-moi un plan", "qu'est-ce que tu sais de moi ?"],
    ["asdfgh qwerty", "quel temps fait-il à Lyon ?", "combien gagne un gestionnaire ?", "/skip", "oublie mon profil"],
]


def predictions(agent):
    """Every parse and every policy prediction of the conversations, without the action server: each predicted
    action is logged as run (a custom action's reply is not needed to predict the next step)."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.events import ActionExecuted

    processor = agent.processor

    async def run():
        out = []
        for number, conversation in enumerate(CONVERSATIONS):
            sender = f"graph-runner-{number}"
            tracker = await processor.fetch_tracker_and_update_session(sender)
            for text in conversation:
                await processor._handle_message_with_tracker(UserMessage(text, sender_id=sender), tracker)
                message = tracker.latest_message
                out.append((message.intent.get("name"), round(message.intent.get("confidence") or 0.0, 6),
                            [(e["entity"], e.get("value")) for e in message.entities]))
                for _ in range(4):
                    action, prediction = processor.predict_next_with_tracker_if_should(tracker)
                    out.append((action.name(), prediction.policy_name, round(prediction.max_confidence, 6)))
                    tracker.update(ActionExecuted(action.name(), prediction.policy_name,
                                                  prediction.max_confidence))
                    if action.name() == "action_listen":
                        break
        return out

    return asyncio.run(run())


@pytest.fixture(scope="module")
def agent():
    require_model()
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


def test_the_patched_runner_predicts_what_dask_predicts(agent):
    from rasa.engine.runner.dask import DaskGraphRunner

    assert not graph_runner.install.installed
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DaskGraphRunner, "run", graph_runner.run)
        patched = predictions(agent)
    shipped = predictions(agent)
    assert patched == shipped
    assert len(patched) > 40 and len({p[0] for p in patched}) > 10
    assert getattr(agent.processor.graph_runner, "_plans", None)  # the orders were computed once and kept


def test_a_failing_component_fails_the_message_as_with_dask(agent):
    from rasa.engine.exceptions import GraphComponentException
    from rasa.engine.runner.dask import DaskGraphRunner

    def boom(*args, **kwargs):
        raise ValueError("boom")

    runner = agent.processor.graph_runner
    nodes = runner._instantiated_nodes.values()
    node = next(n for n in nodes if type(n._component).__name__ == "LinearIntentClassifier")
    errors = []
    for run in (graph_runner.run, DaskGraphRunner.run):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(DaskGraphRunner, "run", run)
            patch.setattr(node, "_fn", boom)
            with pytest.raises(GraphComponentException) as error:
                asyncio.run(agent.parse_message("bonjour"))
            errors.append((type(error.value), str(error.value.__cause__)))
    assert errors[0] == errors[1] == (GraphComponentException, "boom")


def test_the_patch_runs_a_loaded_models_graph_and_leaves_training_to_dask(agent, monkeypatch):
    """A runner with a model id and no hooks (a loaded model) takes the patch's run; one without a model id
    (training, fingerprinting) or with hooks keeps dask's."""
    import copy

    from rasa.engine.graph import ExecutionContext

    calls = []
    monkeypatch.setattr(graph_runner, "run", lambda self, inputs, targets: calls.append("patch"))
    choose = graph_runner.predict_only(lambda self, inputs, targets: calls.append("dask"))
    loaded = copy.copy(agent.processor.graph_runner)
    loaded.__dict__.pop("_predicting", None)
    training = copy.copy(loaded)
    training._execution_context = ExecutionContext(loaded._graph_schema)
    hooked = copy.copy(loaded)
    hooked._instantiated_nodes = {name: copy.copy(node) for name, node in loaded._instantiated_nodes.items()}
    next(iter(hooked._instantiated_nodes.values()))._hooks = [object()]
    for runner in (loaded, training, hooked):
        choose(runner, None, None)
    assert calls == ["patch", "dask", "dask"]
