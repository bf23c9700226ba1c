"""Patch: the trained model's graph runs its nodes in a fixed order, without dask's scheduler on every message.

Rasa 3.6 runs the NLU and the policies of every message through `DaskGraphRunner.run`: it recomputes the
subgraph the targets need, builds a dask graph and lets dask's synchronous scheduler order and run it
(about 1 ms of a 22 ms parse here, and again for each of the two policy predictions of a message). The
graph does not change after the model is loaded, so the order of the nodes each set of targets needs is
computed once; the nodes themselves (GraphNode: components, errors) are Rasa's. Results are the same
(tests/model/test_graph_runner.py). Training (hooks, no model id yet) keeps dask's runner.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_server.patches.guard import Replacement, rasa_patch

Plan = tuple[tuple[str, tuple[str, ...]], ...]  # (node, the nodes or inputs it needs), in running order


def plan_for(schema: Any, targets: list[str]) -> Plan:
    """The nodes `targets` need, each after the nodes it needs (a depth-first topological order)."""
    nodes = schema.minimal_graph_schema(targets).nodes
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        stack = [(name, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in seen and node in nodes:
                seen.add(node)
                stack.append((node, True))
                stack.extend((need, False) for need in reversed(list(nodes[node].needs.values())))

    for target in targets:
        visit(target)
    return tuple((name, tuple(nodes[name].needs.values())) for name in order)


def run(self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
    """DaskGraphRunner.run, with the running order of each set of targets computed once."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = list(targets) if targets else list(self._graph_schema.target_names)
    plans: dict[tuple[str, ...], Plan] = self.__dict__.setdefault("_plans", {})
    plan = plans.get(tuple(run_targets))
    if plan is None:
        plan = plans[tuple(run_targets)] = plan_for(self._graph_schema, run_targets)
    results: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in self._instantiated_nodes:
            raise GraphRunError(f"Input value '{value}' clashes with a node name.")
        results[name] = (name, value)  # as dask passes an input: (name, value)
    try:
        for name, needs in plan:
            results[name] = self._instantiated_nodes[name](*[results[need] for need in needs])
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


def predict_only(original: Callable[..., Any]) -> Callable[..., Any]:
    """`run` for a trained model's graph (it has a model id and no hooks); training keeps dask's."""

    def choose(self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        predicting = self.__dict__.get("_predicting")
        if predicting is None:
            predicting = self.__dict__["_predicting"] = self._execution_context.model_id is not None and not any(
                node._hooks for node in self._instantiated_nodes.values())
        return (run if predicting else original)(self, inputs, targets)

    return choose


@rasa_patch(written_for="3.6.21")
def install() -> list[Replacement]:
    """DaskGraphRunner.run: the nodes of the targets in a running order computed once per set of targets.

    Rasa 3.6 builds a dask graph of the targets' subgraph and schedules it with dask on every run: for each
    message's parse and for each of its policy predictions. The nodes and what they return are Rasa's.
    """
    from rasa.engine.runner.dask import DaskGraphRunner

    return [(DaskGraphRunner, "run", predict_only(DaskGraphRunner.run))]
