"""The benchmark suite: what is measured, how, and the results table and file.

Every figure is the wall-clock time of one call as the app makes it (a pooled engine, the
signed-in user's context, the service or query function itself), after one untimed warm-up
call; ``median_ms`` and ``p95_ms`` are over ``--repeat`` timed calls. The floors and the naive
pandas versions of the register and the dashboard are timed in the same run, and their answers
are compared with the app's (a floor that answers a different question is no floor).
"""

from __future__ import annotations

import json
import math
import os
import platform
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ube_core import procedure as p
from ube_core.queries import (
    CALENDAR_FIRST_ITEMS,
    CALENDAR_FULL_LIST,
    calendar_counts,
    calendar_items,
    case_chronology,
    dashboard,
    restriction_register,
    spoc_worklist,
)
from ube_core.queries.dashboard import Dashboard
from ube_core.services import cases, customers
from ube_core.services.auth import user_context
from ube_core.services.context import UserContext
from ube_core.storage.db import make_engine, migrate
from ube_core.storage.models import IncidentCreate

from . import floors, naive, render
from .dataset import (
    LONG_CASE_REF,
    MANAGER_PASSWORD,
    MANAGER_USERNAME,
    DataSet,
    Progress,
    build,
    schema_head,
    sqlite_dataset,
    staff,
)

FIGURES = (
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
)
TARGETS_MS: dict[str, float | None] = {
    "contact_screening": 10,
    "record_incident": 30,
    "register_first_page": 50,
    "calendar_month": 50,
    "calendar_month_whole_list": None,
    "spoc_worklist": 50,
    "dashboard_figures": 500,
    "case_chronology": None,
    "dashboard_render": 2000,
    "register_render": None,
}
DASHBOARD_FLOOR_FACTOR = 1.5
NAIVE_FACTOR = 20
PEAK_RSS_TARGET_MB = 500
REGISTER_DUE_DAYS = 30
NAIVE_REPEAT = 3
RENDER_REPEAT = 5


# -- timing ----------------------------------------------------------------------------------
@dataclass
class Timing:
    times_ms: list[float]
    first_ms: float | None = None
    cpu_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else math.nan

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile."""
        if not self.times_ms:
            return math.nan
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed(call: Callable[[], object], repeat: int, *, warmup: bool = True) -> Timing:
    first = None
    if warmup:
        started = time.perf_counter()
        call()
        first = (time.perf_counter() - started) * 1000
    times, cpu = [], []
    for _ in range(max(1, repeat)):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return Timing(times, first, cpu)


# -- the run ---------------------------------------------------------------------------------
@dataclass
class Setup:
    """Who acts and on whom, picked from the data set."""

    manager: UserContext
    officer: UserContext
    screening_ref: str
    screening_events: int
    line_manager_id: int
    incident_customers: list[int]
    long_case_id: int
    long_case_events: int


@dataclass
class Result:
    database: str
    figures: dict[str, Timing] = field(default_factory=dict)
    floors: dict[str, Timing] = field(default_factory=dict)
    naive: dict[str, Timing] = field(default_factory=dict)
    checks: dict[str, list[str]] = field(default_factory=dict)
    renders: dict[str, dict[str, Any]] = field(default_factory=dict)
    dataset: dict[str, int] = field(default_factory=dict)
    setup: dict[str, Any] = field(default_factory=dict)
    load: list[float] = field(default_factory=list)


def _scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def _d(engine: Engine, day: date) -> Any:
    return day.isoformat() if engine.dialect.name == "sqlite" else day


def pick(engine: Engine, today: date, repeat: int, seed: int) -> Setup:
    manager = user_context(engine, username=MANAGER_USERNAME)
    assert manager is not None, "the bench manager is missing from the data set"
    officer = staff(engine, p.Role.OFFICER)
    t = _d(engine, today)
    active = "r.ended_on IS NULL AND r.start_on <= :t AND r.end_on >= :t"
    with engine.connect() as conn:
        restricted = conn.execute(
            sa.text(
                "SELECT c.tenancy_ref, (SELECT count(*) FROM case_event e "
                "WHERE e.case_id = r.case_id) AS n FROM restriction r "
                f"JOIN customer c ON c.id = r.customer_id WHERE {active} "
                "AND c.tenancy_ref <> :long ORDER BY n, c.id"
            ),
            {"t": t, "long": LONG_CASE_REF},
        ).all()
        if not restricted:
            restricted = conn.execute(
                sa.text(
                    "SELECT c.tenancy_ref, count(e.id) AS n FROM customer c "
                    "JOIN ube_case k ON k.customer_id = c.id "
                    "LEFT JOIN case_event e ON e.case_id = k.id "
                    "WHERE c.tenancy_ref <> :long GROUP BY c.id, c.tenancy_ref ORDER BY n, c.id"
                ),
                {"long": LONG_CASE_REF},
            ).all()
        ref, events = restricted[len(restricted) // 2]
        line_manager = conn.execute(
            sa.text(
                "SELECT u.line_manager_id FROM restriction r "
                f"JOIN app_user u ON u.id = r.spoc_user_id WHERE {active} "
                "AND u.line_manager_id IS NOT NULL GROUP BY u.line_manager_id "
                "ORDER BY count(*) DESC, u.line_manager_id"
            ),
            {"t": t},
        ).scalar()
        ids = list(
            conn.execute(
                sa.text("SELECT id FROM customer WHERE tenancy_ref <> :long ORDER BY id"),
                {"long": LONG_CASE_REF},
            ).scalars()
        )
        long_case, long_events = conn.execute(
            sa.text(
                "SELECT k.id, (SELECT count(*) FROM case_event e WHERE e.case_id = k.id) "
                "FROM ube_case k JOIN customer c ON c.id = k.customer_id "
                "WHERE c.tenancy_ref = :long ORDER BY k.id DESC"
            ),
            {"long": LONG_CASE_REF},
        ).one()
    if line_manager is None:  # a tiny data set: nobody's SPOCs have a line manager
        line_manager = staff(engine, p.Role.LINE_MANAGER).id
    assert line_manager is not None
    # A fresh sample each run: an officer logs incidents for customers across the book.
    rng = random.Random(f"{seed}-{time.time_ns()}")
    sample = rng.sample(ids, min(len(ids), repeat + 1))
    while len(sample) < repeat + 1:
        sample.append(rng.choice(ids))
    return Setup(
        manager=manager,
        officer=officer,
        screening_ref=str(ref),
        screening_events=int(events),
        line_manager_id=int(line_manager),
        incident_customers=sample,
        long_case_id=int(long_case),
        long_case_events=int(long_events),
    )


def dataset_counts(engine: Engine, today: date) -> dict[str, int]:
    t = _d(engine, today)
    counts = {
        name: int(_scalar(engine, f"SELECT count(*) FROM {table}"))
        for name, table in (
            ("customers", "customer"),
            ("incidents", "incident"),
            ("restrictions", "restriction"),
            ("contacts", "contact"),
        )
    }
    counts["active_restrictions"] = int(
        _scalar(
            engine,
            "SELECT count(*) FROM restriction WHERE ended_on IS NULL AND start_on <= :t "
            "AND end_on >= :t",
            t=t,
        )
    )
    counts["case_events"] = int(_scalar(engine, "SELECT count(*) FROM case_event"))
    return counts


def _dashboard_rows(d: Dashboard) -> dict[str, floors.Rows]:
    def rows(frame: Any, columns: int | None = None) -> floors.Rows:
        out = [tuple(r) for r in frame.itertuples(index=False)]
        return [r[:columns] for r in out] if columns else out

    return {
        "incidents_by_category": rows(d.incidents_by_category),
        "incidents_by_channel": rows(d.incidents_by_channel),
        "cases_by_stage": rows(d.cases_by_stage),
        "restrictions_by_type": rows(d.restrictions_by_type),
        "restrictions_by_duration": rows(d.restrictions_by_duration),
        "reviews": rows(d.reviews),
        "appeals": rows(d.appeals),
        "appeal_outcomes": rows(d.appeal_outcomes),
        "spoc_compliance": rows(d.spoc_compliance, 3),
        "breaches": rows(d.breaches),
        "contacts_before_after": rows(d.contacts_before_after, 3),
        "equality": rows(d.equality),
        "exceptions": [(k, c, r, n, o) for k, _label, c, r, n, o in rows(d.exceptions)],
    }


def measure(
    engine: Engine,
    ds_today: date,
    *,
    url: str,
    repeat: int,
    seed: int,
    renders: bool,
    say: Progress,
) -> Result:
    today = ds_today
    result = Result(database=engine.dialect.name)
    result.load = [_load()]
    result.dataset = dataset_counts(engine, today)
    setup = pick(engine, today, repeat, seed)
    result.setup = {
        "screening_tenancy_ref": setup.screening_ref,
        "screening_case_events": setup.screening_events,
        "line_manager_id": setup.line_manager_id,
        "long_case_id": setup.long_case_id,
        "long_case_events": setup.long_case_events,
    }
    manager, officer = setup.manager, setup.officer
    month_start = today.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    period_start = p.add_months(month_start, -11)
    fig = result.figures

    def screening() -> None:
        found = customers.find_customers(engine, user=officer, text=setup.screening_ref, limit=5)
        match = next(c for c in found if c.tenancy_ref == setup.screening_ref)
        assert match.id is not None
        cases.screen_contact(
            engine, user=officer, customer_id=match.id, channel=p.Channel.PHONE, today=today
        )

    say("contact screening…")
    fig["contact_screening"] = timed(screening, repeat)

    queue = iter(setup.incident_customers)

    def incident() -> None:
        data = IncidentCreate(
            customer_id=next(queue),
            occurred_at=datetime.combine(today, datetime.min.time(), tzinfo=UTC)
            + timedelta(hours=9, minutes=30),
            channel=p.Channel.PHONE.value,
            category=p.Category.AGGRESSIVE_ABUSIVE.value,
            behaviour=p.Behaviour.SWEARING_SHOUTING.value,
            severity=p.Severity.MODERATE.value,
            narrative="Shouted at the call handler about a repair; call ended by the colleague.",
            colleague="Customer services",
            colleague_ended_contact=True,
        )
        cases.record_incident(engine, user=officer, data=data, today=today)

    say("record incident…")
    fig["record_incident"] = timed(incident, repeat)

    def register() -> Any:
        return restriction_register(
            engine,
            user=manager,
            today=today,
            status="active",
            due_within_days=REGISTER_DUE_DAYS,
            sort="case_review_due",
        )

    def register_floor() -> tuple[int, floors.Rows]:
        with engine.connect() as conn:
            return floors.register_first_page(conn, today=today, due_within_days=REGISTER_DUE_DAYS)

    def register_naive() -> tuple[int, floors.Rows]:
        with engine.connect() as conn:
            return naive.register_first_page(conn, today=today, due_within_days=REGISTER_DUE_DAYS)

    say("restriction register (ours, hand-written SQL, naive pandas)…")
    fig["register_first_page"] = timed(register, repeat)
    result.floors["register_first_page"] = timed(register_floor, repeat)
    result.naive["register_first_page"] = timed(register_naive, min(repeat, NAIVE_REPEAT))
    page = register()
    ours = (page.total, [tuple(r) for r in page.rows.itertuples(index=False)])
    result.checks["register_vs_floor"] = _compare_register(ours, register_floor())
    result.checks["register_naive_vs_floor"] = _compare_register(register_naive(), register_floor())

    def calendar_month() -> Any:
        """What the calendar page reads for a month: the counts, then every item when there
        are few, or the first overdue and first in-month items when there are many."""
        counts = calendar_counts(
            engine, user=manager, start=month_start, end=month_end, today=today
        )
        large = int(counts["items"].sum()) > CALENDAR_FULL_LIST
        return calendar_items(
            engine,
            user=manager,
            start=month_start,
            end=month_end,
            today=today,
            limit=CALENDAR_FIRST_ITEMS if large else None,
        )

    say("calendar month…")
    fig["calendar_month"] = timed(calendar_month, repeat)
    say("calendar month, every item listed…")
    fig["calendar_month_whole_list"] = timed(
        lambda: calendar_items(engine, user=manager, start=month_start, end=month_end, today=today),
        min(repeat, NAIVE_REPEAT),
    )
    say("SPOC worklist…")
    fig["spoc_worklist"] = timed(
        lambda: spoc_worklist(engine, user=manager, manager_id=setup.line_manager_id, today=today),
        repeat,
    )

    def ours_dashboard() -> Dashboard:
        return dashboard(engine, user=manager, start=period_start, end=today, today=today)

    def floor_dashboard() -> dict[str, floors.Rows]:
        with engine.connect() as conn:
            return floors.dashboard(conn, start=period_start, end=today, today=today)

    def naive_dashboard() -> dict[str, floors.Rows]:
        with engine.connect() as conn:
            return naive.dashboard(conn, start=period_start, end=today, today=today)

    say("dashboard figures (ours, hand-written SQL, naive pandas)…")
    fig["dashboard_figures"] = timed(ours_dashboard, repeat)
    result.floors["dashboard_figures"] = timed(floor_dashboard, repeat)
    result.naive["dashboard_figures"] = timed(naive_dashboard, min(repeat, NAIVE_REPEAT))
    floor_answer = floor_dashboard()
    result.checks["dashboard_vs_floor"] = floors.differences(
        _dashboard_rows(ours_dashboard()), floor_answer
    )
    result.checks["dashboard_naive_vs_floor"] = floors.differences(naive_dashboard(), floor_answer)

    say("case chronology…")
    fig["case_chronology"] = timed(
        lambda: case_chronology(engine, user=manager, case_id=setup.long_case_id), repeat
    )

    if renders:
        for name, page_path in (
            ("dashboard_render", "pages/dashboard.py"),
            ("register_render", "pages/register.py"),
        ):
            say(f"{page_path} through AppTest…")
            outcome = render.run_in_subprocess(
                url=url,
                page=page_path,
                username=MANAGER_USERNAME,
                password=MANAGER_PASSWORD,
                day=today,
                repeat=min(repeat, RENDER_REPEAT),
            )
            result.renders[name] = outcome
            if "error" in outcome:
                say(outcome["error"])
                fig[name] = Timing([])
            else:
                fig[name] = Timing(
                    list(outcome["times_ms"]),
                    float(outcome["first_ms"]),
                    warm_ms=list(outcome["warm_ms"]),
                )
    result.load.append(_load())
    return result


def _load() -> float:
    """The host's one-minute load average (other work competing for the two cores)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return math.nan


def _compare_register(ours: tuple[int, floors.Rows], floor: tuple[int, floors.Rows]) -> list[str]:
    problems = []
    if ours[0] != floor[0]:
        problems.append(f"total {ours[0]} != {floor[0]}")
    if floors._norm(ours[1]) != floors._norm(floor[1]):
        problems.append("page rows differ")
    return problems


# -- reporting ------------------------------------------------------------------------------
def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GB RAM"
    except (ValueError, OSError):
        pass
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores{memory}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def _r(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 2)


def _ratio(a: float, b: float) -> float | None:
    if math.isnan(a) or math.isnan(b) or b <= 0:
        return None
    return round(a / b, 2)


def _summary(timing: Timing) -> dict[str, Any]:
    return {
        "median_ms": _r(timing.median),
        "p95_ms": _r(timing.p95),
        "cpu_median_ms": _r(statistics.median(timing.cpu_ms)) if timing.cpu_ms else None,
        "runs": len(timing.times_ms),
    }


def to_json(result: Result, ds: DataSet, *, server: str | None = None) -> dict[str, Any]:
    fig = result.figures
    figures: list[dict[str, Any]] = []
    for name in FIGURES:
        timing = fig.get(name, Timing([]))
        figures.append(
            {
                "name": name,
                "median_ms": _r(timing.median),
                "p95_ms": _r(timing.p95),
                "target_ms": TARGETS_MS[name],
                "first_ms": None if timing.first_ms is None else round(timing.first_ms, 2),
                "runs": len(timing.times_ms),
            }
        )
        if timing.cpu_ms:  # this process's CPU time: steadier than wall time on a busy host
            figures[-1]["cpu_median_ms"] = _r(statistics.median(timing.cpu_ms))
        if timing.warm_ms:  # a page render served from the pages' read cache
            figures[-1]["warm_median_ms"] = _r(statistics.median(timing.warm_ms))
    ours_d, ours_r = fig["dashboard_figures"].median, fig["register_first_page"].median
    ratios = {
        "dashboard_vs_handwritten_sql": _ratio(ours_d, result.floors["dashboard_figures"].median),
        "naive_pandas_vs_dashboard": _ratio(result.naive["dashboard_figures"].median, ours_d),
        "register_vs_handwritten_sql": _ratio(ours_r, result.floors["register_first_page"].median),
        "naive_pandas_vs_register": _ratio(result.naive["register_first_page"].median, ours_r),
    }

    def cpu(timing: Timing) -> float:
        return statistics.median(timing.cpu_ms) if timing.cpu_ms else math.nan

    cd, cr = cpu(fig["dashboard_figures"]), cpu(fig["register_first_page"])
    ratios_cpu = {
        "dashboard_vs_handwritten_sql": _ratio(cd, cpu(result.floors["dashboard_figures"])),
        "naive_pandas_vs_dashboard": _ratio(cpu(result.naive["dashboard_figures"]), cd),
        "register_vs_handwritten_sql": _ratio(cr, cpu(result.floors["register_first_page"])),
        "naive_pandas_vs_register": _ratio(cpu(result.naive["register_first_page"]), cr),
    }
    dash = result.renders.get("dashboard_render", {})
    peak = dash.get("peak_rss_mb")
    return {
        "machine": machine() + (f", {server}" if server else ""),
        "database": result.database,
        "dataset": {
            k: result.dataset[k] for k in ("customers", "incidents", "restrictions", "contacts")
        },
        "figures": figures,
        "ratios": ratios,
        "peak_rss_mb": None if peak is None else round(float(peak), 1),
        "details": {
            "today": ds.today.isoformat(),
            "seed": ds.seed,
            "schema_head": ds.head,
            "dataset_full": result.dataset,
            "data_build_seconds": ds.build_seconds,
            "data_reused": ds.reused,
            "db_size_mb": ds.size_mb,
            "floors_ms": {k: _summary(v) for k, v in result.floors.items()},
            "naive_ms": {k: _summary(v) for k, v in result.naive.items()},
            "ratios_cpu": ratios_cpu,
            "answer_checks": result.checks,
            "load_average_start_end": result.load,
            "renders": {
                k: {key: v.get(key) for key in ("problems", "charts", "tables", "error")}
                for k, v in result.renders.items()
            },
            "picked": result.setup,
        },
    }


def _status(name: str, median: float | None, target: float | None) -> str:
    if median is None:
        return "FAILED"
    if target is None:
        return ""
    return "ok" if median <= target else "MISSED"


def table(data: dict[str, Any]) -> str:
    lines = [
        f"UBE benchmarks — {data['database']} — {data['machine']}",
        "data set: " + ", ".join(f"{v:,} {k}" for k, v in data["details"]["dataset_full"].items()),
        "",
        f"{'figure':<22}{'median ms':>11}{'p95 ms':>10}{'cpu ms':>9}{'target ms':>11}  status",
        "-" * 71,
    ]
    for f in data["figures"]:
        median, p95, target = f["median_ms"], f["p95_ms"], f["target_ms"]
        cpu = f.get("cpu_median_ms")
        lines.append(
            f"{f['name']:<22}"
            f"{'—' if median is None else f'{median:.1f}':>11}"
            f"{'—' if p95 is None else f'{p95:.1f}':>10}"
            f"{'' if cpu is None else f'{cpu:.1f}':>9}"
            f"{'' if target is None else f'≤ {target:g}':>11}  "
            f"{_status(f['name'], median, target)}"
        )
    ratios = data["ratios"]
    lines += [
        "",
        "ratios (medians): "
        + ", ".join(f"{k} {'—' if v is None else f'{v:g}'}" for k, v in ratios.items()),
        f"targets: dashboard ≤ {DASHBOARD_FLOOR_FACTOR}× hand-written SQL, "
        f"naive/ours ≥ {NAIVE_FACTOR}×, peak RSS ≤ {PEAK_RSS_TARGET_MB} MB",
        f"peak RSS of the app process during the dashboard render: {data['peak_rss_mb']} MB",
        f"host load average at start / end: {data['details']['load_average_start_end']} "
        f"({os.cpu_count()} cores)",
        f"data set built in {data['details']['data_build_seconds']:.0f} s"
        + (" (reused)" if data["details"]["data_reused"] else "")
        + (
            f", {data['details']['db_size_mb']:,} MB on disk"
            if data["details"]["db_size_mb"]
            else ""
        ),
    ]
    problems = {k: v for k, v in data["details"]["answer_checks"].items() if v}
    if problems:
        lines.append(f"ANSWERS DIFFER: {problems}")
    for name, info in data["details"]["renders"].items():
        if info.get("error") or info.get("problems"):
            lines.append(f"{name}: {info.get('error') or info.get('problems')}")
    return "\n".join(lines)


def write(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


# -- entry point ---------------------------------------------------------------------------
@dataclass
class Options:
    customers: int
    repeat: int
    postgres: bool
    out: Path
    data_dir: Path
    seed: int
    rebuild: bool
    renders: bool
    progress: bool


def _say(message: str) -> None:
    print(f"· {message}", flush=True)


def run(options: Options) -> list[dict[str, Any]]:
    ds = sqlite_dataset(
        options.data_dir,
        customers_n=options.customers,
        seed=options.seed,
        rebuild=options.rebuild,
        progress=options.progress,
        say=_say,
    )
    if ds.demo_changed:
        _say("note: the demo generator changed since this data set was built (--rebuild)")
    outputs = []
    engine = make_engine(ds.url)
    try:
        result = measure(
            engine,
            ds.today,
            url=ds.url,
            repeat=options.repeat,
            seed=options.seed,
            renders=options.renders,
            say=_say,
        )
    finally:
        engine.dispose()
    data = to_json(result, ds)
    write(data, options.out)
    print()
    print(table(data))
    print(f"\nwritten to {options.out}")
    outputs.append(data)
    if options.postgres:
        outputs.append(_postgres(options, ds))
    return outputs


def _postgres(options: Options, sqlite_ds: DataSet) -> dict[str, Any]:
    from .pg import throwaway_cluster

    with throwaway_cluster() as url:
        migrate(url)
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            counts, extras = build(
                engine,
                customers_n=sqlite_ds.customers,
                seed=sqlite_ds.seed,
                today=sqlite_ds.today,
                progress=options.progress,
                say=_say,
            )
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE)")
                version = conn.exec_driver_sql("SHOW server_version").scalar()
                size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
            ds = DataSet(
                url=url,
                customers=sqlite_ds.customers,
                seed=sqlite_ds.seed,
                today=sqlite_ds.today,
                head=schema_head(),
                build_seconds=round(time.perf_counter() - started, 1),
                reused=False,
                counts=counts,
                extras=extras,
            )
            result = measure(
                engine,
                ds.today,
                url=url,
                repeat=options.repeat,
                seed=options.seed,
                renders=options.renders,
                say=_say,
            )
        finally:
            engine.dispose()
    data = to_json(result, ds, server=f"PostgreSQL {version}")
    data["details"]["db_size_mb"] = round(int(size or 0) / 2**20, 1)
    out = options.out.with_name(options.out.stem + "-postgresql" + options.out.suffix)
    write(data, out)
    print()
    print(table(data))
    print(f"\nwritten to {out}")
    return data
