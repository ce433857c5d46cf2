"""``python -m benchmarks.markdown RESULTS.json [RESULTS-postgresql.json]``: the figures as a
Markdown table (for the README's Performance section)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(runs: list[dict[str, Any]]) -> str:
    header = "| figure | target (median) |"
    rule = "|---|---:|"
    for run in runs:
        db = "SQLite" if run["database"] == "sqlite" else "PostgreSQL"
        header += f" {db} median | {db} p95 | {db} CPU |"
        rule += "---:|---:|---:|"
    lines = [header, rule]
    for i, figure in enumerate(runs[0]["figures"]):
        target = figure["target_ms"]
        row = f"| `{figure['name']}` | {'—' if target is None else f'≤ {target:g} ms'} |"
        for run in runs:
            f = run["figures"][i]
            status = ""
            if target is not None and f["median_ms"] is not None:
                status = " met" if f["median_ms"] <= target else " **missed**"
            row += (
                f" {_ms(f['median_ms'])} ms{status} | {_ms(f['p95_ms'])} ms |"
                f" {_ms(f.get('cpu_median_ms'))} |"
            )
        lines.append(row)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    paths = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    print(table([json.loads(p.read_text()) for p in paths]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
