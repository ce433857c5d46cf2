"""The benchmark suite runs end to end on a tiny data set and writes results in the agreed
shape. No assertion on time: benchmarks print figures, tests check they can be produced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "contact_screening",
    "record_incident",
    "register_first_page",
    "calendar_month",
    "calendar_month_whole_list",
    "spoc_worklist",
    "dashboard_figures",
    "case_chronology",
    "dashboard_render",
    "register_render",
}
RATIOS = {
    "dashboard_vs_handwritten_sql",
    "naive_pandas_vs_dashboard",
    "register_vs_handwritten_sql",
    "naive_pandas_vs_register",
}


@pytest.mark.slow
def test_benchmarks_run_once_on_a_tiny_data_set(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if k not in ("UBE_DATABASE_URL", "UBE_ENV")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--customers",
            "50",
            "--repeat",
            "1",
            "--data-dir",
            str(tmp_path / "bench"),
            "--out",
            str(out),
            "--quiet",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "contact_screening" in done.stdout  # the table was printed

    data = json.loads(out.read_text())
    assert isinstance(data["machine"], str) and data["machine"]
    assert data["database"] == "sqlite"
    assert set(data["dataset"]) == {"customers", "incidents", "restrictions", "contacts"}
    assert data["dataset"]["customers"] >= 50
    assert all(isinstance(v, int) for v in data["dataset"].values())

    figures = {f["name"]: f for f in data["figures"]}
    assert set(figures) == FIGURES
    for figure in figures.values():
        assert isinstance(figure["median_ms"], float | int), figure
        assert isinstance(figure["p95_ms"], float | int), figure
        assert figure["median_ms"] <= figure["p95_ms"]
        assert figure["target_ms"] is None or figure["target_ms"] > 0
    assert figures["contact_screening"]["target_ms"] == 10
    assert figures["dashboard_render"]["target_ms"] == 2000

    assert set(data["ratios"]) == RATIOS
    assert all(isinstance(v, float | int) and v > 0 for v in data["ratios"].values())
    assert isinstance(data["peak_rss_mb"], float | int) and data["peak_rss_mb"] > 0

    # The floors answer the same question as the app's queries, and the pages rendered.
    assert not any(data["details"]["answer_checks"].values()), data["details"]["answer_checks"]
    for render in data["details"]["renders"].values():
        assert not render.get("error") and not render.get("problems"), render
