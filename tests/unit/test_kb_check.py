"""`python -m hr.cli kb check`, the launcher's check before it starts the servers: a count of passages."""
from __future__ import annotations

import pytest

from backoffice_career.knowledge.db import create_schema, make_engine, passage_count
from hr.cli import main


def test_a_built_knowledge_base_is_ok_with_its_number_of_passages(kb, capsys):
    assert main(["kb", "check", "--url", str(kb.engine.url)]) == 0
    assert capsys.readouterr().out.strip() == f"knowledge base ok: {kb.check()} passages"
    assert passage_count(kb.engine) == kb.check() > 0


@pytest.mark.parametrize("state", ["no tables", "no passage", "not a database"])
def test_a_missing_empty_or_broken_knowledge_base_fails_with_exit_2(state, tmp_path, capsys):
    path = tmp_path / "kb.sqlite"
    if state == "no passage":
        create_schema(make_engine(f"sqlite:///{path}"))
    elif state == "not a database":
        path.write_bytes(b"\x00garbage, not SQLite" * 100)
    assert main(["kb", "check", "--url", f"sqlite:///{path}"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: knowledge base unavailable:") and "make kb" in error
