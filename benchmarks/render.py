"""Full page renders through Streamlit's AppTest, in a process of their own.

``python -m benchmarks.render --url URL --page pages/dashboard.py ...`` signs in through the
app's form, opens the page, then ``--repeat`` times renders it with the pages' read cache
emptied first (``st.cache_data.clear()``: every query runs, as for the first visitor after
the cache expires — the figure) and once more straight after (served from the cache: the
warm figure). It prints one JSON line: the times, any exception the page raised and the
process's peak resident memory — the app process's memory during the render. The clock the
app reads is fixed to the data set's day.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _freeze_clock(day: date) -> None:
    from ube_ui import runtime

    def now() -> datetime:
        return datetime.combine(day, datetime.now(runtime.LONDON).time(), tzinfo=runtime.LONDON)

    runtime.now = now
    runtime.today = lambda: day


def _navigation_only() -> None:
    """As tests/conftest.py: AppTest must route through st.navigation only."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's ``VmHWM`` is this process's own; its
    ``ru_maxrss`` is not: at exec it inherits the forking parent's high-water mark."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _problems(at: Any) -> list[str]:
    """Exceptions the page raised (an ``st.error`` message is the page's own business)."""
    return [str(e.value)[:500] for e in at.exception]


def render(
    url: str, page: str, username: str, password: str, day: date, repeat: int
) -> dict[str, Any]:
    os.environ["UBE_DATABASE_URL"] = url
    os.environ.setdefault("UBE_COOKIE_KEY", "bench-cookie-key-" + "x" * 40)
    os.environ.pop("UBE_ENV", None)
    _navigation_only()
    _freeze_clock(day)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    if at.session_state["authentication_status"] is not True:
        return {"error": f"sign-in failed: {_problems(at)}"}
    import streamlit as st

    started = time.perf_counter()
    at.switch_page(page).run()
    first = (time.perf_counter() - started) * 1000
    cold, warm = [], []
    for _ in range(repeat):
        st.cache_data.clear()  # every read runs again, as for the first visitor in a minute
        started = time.perf_counter()
        at.run()
        cold.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        at.run()  # the same page again within the cache's lifetime
        warm.append((time.perf_counter() - started) * 1000)
    return {
        "first_ms": first,
        "times_ms": cold,
        "warm_ms": warm,
        "peak_rss_mb": peak_rss_mb(),
        "problems": _problems(at),
        "charts": len(at.get("plotly_chart")),
        "tables": len(at.dataframe),
        "messages": len(at.error) + len(at.warning) + len(at.info),
    }


def run_in_subprocess(
    *, url: str, page: str, username: str, password: str, day: date, repeat: int
) -> dict[str, Any]:
    """Render in a fresh Python process; its JSON result."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.render",
        "--url",
        url,
        "--page",
        page,
        "--username",
        username,
        "--today",
        day.isoformat(),
        "--repeat",
        str(repeat),
    ]
    env = {**os.environ, "UBE_BENCH_PASSWORD": password}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=3600
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout)[-2000:]
        return {"error": f"render of {page} failed (exit {done.returncode}): {tail}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--page", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--today", required=True, type=date.fromisoformat)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    password = os.environ.get("UBE_BENCH_PASSWORD", "")
    result = render(args.url, args.page, args.username, password, args.today, args.repeat)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
