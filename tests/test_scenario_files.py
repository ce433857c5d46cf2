"""Every scenario in tests/scenarios holds; every file in tests/scenarios_invalid is invalid."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ube_core import scenario

HERE = Path(__file__).parent
VALID = sorted((HERE / "scenarios").rglob("*.yaml"))
INVALID = sorted((HERE / "scenarios_invalid").rglob("*.yaml"))


def test_there_are_enough_scenarios() -> None:
    assert len(VALID) >= 40


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_scenario_holds(path: Path) -> None:
    out = io.StringIO()
    assert scenario.main(["run", str(path)], out=out) == 0, out.getvalue()


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_scenario_is_reported(path: Path) -> None:
    out = io.StringIO()
    assert scenario.main(["run", str(path)], out=out) == 2
    assert "INVALID" in out.getvalue() and "Traceback" not in out.getvalue()
