"""``ube_core.procedure`` stays pure: standard library only, no clock, no I/O (DESIGN.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ube_core" / "procedure"
MODULES = sorted(PACKAGE.glob("*.py"))

# Reading the clock or the outside world: never inside the engine.
CLOCK_CALLS = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
}
CLOCK_NAMES = {"today", "now", "utcnow"}  # ``from datetime import ...`` cannot rename these away
FORBIDDEN_FROM_IMPORTS = {("time", "time"), ("time", "monotonic"), ("time", "perf_counter")}
IO_CALLS = {"open", "read_text", "write_text", "read_bytes", "write_bytes", "input"}


def dotted(node: ast.expr) -> str:
    """``a.b.c`` for a chain of names and attributes, else ``""``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def import_problems(tree: ast.Module, name: str) -> list[str]:
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top not in sys.stdlib_module_names and not alias.name.startswith(
                    "ube_core.procedure"
                ):
                    problems.append(f"{name}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and not module.startswith(
                    "ube_core.procedure"
                ):
                    problems.append(f"{name}:{node.lineno}: from {module} import ...")
                for alias in node.names:
                    if (module, alias.name) in FORBIDDEN_FROM_IMPORTS:
                        problems.append(f"{name}:{node.lineno}: from {module} import {alias.name}")
            elif node.level > 1:
                # The package is flat: ``..`` would reach outside ube_core.procedure.
                problems.append(f"{name}:{node.lineno}: relative import leaves the package")
    return problems


def clock_and_io_problems(tree: ast.Module, name: str) -> list[str]:
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            path = dotted(node)
            parts = tuple(path.split(".")[-2:])
            if len(parts) == 2 and parts in CLOCK_CALLS:
                problems.append(f"{name}:{node.lineno}: {path}")
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called in IO_CALLS:
                problems.append(f"{name}:{node.lineno}: {called}(")
            if isinstance(func, ast.Name) and func.id in CLOCK_NAMES:
                problems.append(f"{name}:{node.lineno}: {func.id}(")
    return problems


def check_source(source: str, name: str = "<src>") -> list[str]:
    tree = ast.parse(source, filename=name)
    return import_problems(tree, name) + clock_and_io_problems(tree, name)


def test_the_package_has_its_modules() -> None:
    names = {p.stem for p in MODULES}
    assert {
        "__init__",
        "vocabulary",
        "reasons",
        "dates",
        "events",
        "state",
        "screening",
        "permissions",
        "rules",
        "deadlines",
        "case",
    } <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_is_pure(path: Path) -> None:
    assert check_source(path.read_text(encoding="utf-8"), path.name) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_open_call_in_the_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for needle in ("open(", "date.today", "datetime.now", "time.time"):
        assert needle not in text, f"{path.name} contains {needle!r}"


# The checker itself must catch what it is for.
@pytest.mark.parametrize(
    "source",
    [
        "import yaml",
        "import streamlit as st",
        "from sqlmodel import Session",
        "from pandas import DataFrame",
        "import ube_core.storage",
        "from ube_core import scenario",
        "from .. import scenario",
        "from datetime import date\nx = date.today()",
        "import datetime\nx = datetime.date.today()",
        "from datetime import datetime\nx = datetime.now()",
        "import time\nx = time.time()",
        "from time import time",
        "x = open('f')",
        "from pathlib import Path\nPath('f').read_text()",
    ],
)
def test_checker_catches(source: str) -> None:
    assert check_source(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "from __future__ import annotations",
        "import calendar\nfrom datetime import date, timedelta",
        "from collections.abc import Iterable",
        "from . import dates\nfrom .events import Contact",
        "from ube_core.procedure.dates import add_months",
        "def f(today):\n    return today",
    ],
)
def test_checker_allows(source: str) -> None:
    assert check_source(source) == []


def test_importing_the_engine_loads_no_heavy_libraries() -> None:
    code = (
        "import ube_core.procedure, sys; "
        "bad = [m for m in ('streamlit', 'sqlmodel', 'sqlalchemy', 'pandas', 'yaml') "
        "if m in sys.modules]; "
        "assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
