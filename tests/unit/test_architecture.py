"""The layout's rules: a Rasa-free core, arrows pointing inward, small files and functions."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from backoffice_career.settings import ROOT

CORE = "backoffice_career"
ADAPTERS = ("actions", "rasa_server", "hr", "hr_console", "launcher", "web")
MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 50


def python_files(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py")) if "node_modules" not in p.parts]


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_importing_the_core_loads_neither_rasa_nor_rasa_sdk():
    code = (
        "import importlib, pkgutil, sys\n"
        f"import {CORE}\n"
        f"for m in pkgutil.walk_packages({CORE}.__path__, '{CORE}.'):\n"
        "    importlib.import_module(m.name)\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'rasa', 'rasa_sdk'})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("path", python_files(CORE), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_no_framework_and_no_adapter(path):
    assert imported_roots(path) & {"rasa", "rasa_sdk", "sanic", *ADAPTERS, "tests", "scripts"} == set()


@pytest.mark.parametrize("path", python_files("actions"), ids=lambda p: str(p.relative_to(ROOT)))
def test_actions_talk_to_rasa_sdk_and_the_core_only(path):
    assert imported_roots(path) & {"rasa", "rasa_server", "hr", "launcher", "web", "tests", "scripts"} == set()


@pytest.mark.parametrize("path", python_files(CORE, *ADAPTERS, "scripts"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_imports_the_tests(path):
    assert "tests" not in imported_roots(path)


def function_sizes(path: Path):
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.end_lineno - node.lineno + 1


@pytest.mark.parametrize("path", python_files(CORE, *ADAPTERS), ids=lambda p: str(p.relative_to(ROOT)))
def test_files_and_functions_stay_small(path):
    assert len(path.read_text("utf-8").splitlines()) <= MAX_FILE_LINES
    assert [(name, size) for name, size in function_sizes(path) if size > MAX_FUNCTION_LINES] == []
