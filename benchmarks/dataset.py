"""The benchmark data set: built once with the demo generator, cached as a SQLite file.

``data/bench/ube-<customers>-seed<seed>-<schema head>.db`` with a JSON file beside it that
records how it was built. A file built for an older schema head is upgraded in place by the
migrations (an index added later does not cost a rebuild) and renamed to the new key.

Beside the demo rows, the build adds, through the services:

- a manager who signs in to the app for the page renders (``bench.manager``);
- one customer whose case holds exactly ``LONG_CASE_EVENTS`` recorded steps (incidents, an
  informal step, an EIA, a formal warning, a SPOC restriction, then many contacts), for the
  chronology figure.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from ube_core import procedure as p
from ube_core.demo import load_demo
from ube_core.services import cases, customers, users
from ube_core.services.context import UserContext
from ube_core.storage.db import alembic_config, make_engine, migrate
from ube_core.storage.models import CustomerCreate, IncidentCreate, UserCreate

ROOT = Path(__file__).resolve().parent.parent
DEMO_SOURCES = (ROOT / "ube_core" / "demo.py", ROOT / "ube_core" / "demo_text.py")

MANAGER_USERNAME = "bench.manager"
MANAGER_PASSWORD = "bench manager sign-in 7431"
LONG_CASE_REF = "BENCH0000500"
LONG_CASE_EVENTS = 500

Progress = Callable[[str], None]


def schema_head() -> str:
    """The newest migration revision: part of the cache key."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return head or "base"


def demo_fingerprint() -> str:
    """A hash of the demo generator's source, recorded with the data set (not part of the
    key: a changed generator is reported, and ``--rebuild`` makes a fresh set)."""
    digest = hashlib.sha256()
    for path in DEMO_SOURCES:
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class DataSet:
    """A loaded data set and how it came to be."""

    url: str
    customers: int
    seed: int
    today: date
    head: str
    build_seconds: float
    reused: bool
    path: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    demo_changed: bool = False

    @property
    def size_mb(self) -> float | None:
        if self.path is None or not self.path.exists():
            return None
        total = sum(f.stat().st_size for f in (self.path, Path(f"{self.path}-wal")) if f.exists())
        return round(total / 2**20, 1)


# -- building -------------------------------------------------------------------------------
def build(
    engine: Engine, *, customers_n: int, seed: int, today: date, progress: bool, say: Progress
) -> tuple[dict[str, int], dict[str, Any]]:
    """Load the demo rows and the extras into a migrated, empty database."""
    say(f"loading {customers_n:,} demo customers (seed {seed}, today {today})…")
    started = time.perf_counter()
    counts = load_demo(engine, customers=customers_n, seed=seed, today=today, progress=progress)
    say(f"demo rows loaded in {time.perf_counter() - started:.0f} s")
    extras = add_extras(engine, today=today, say=say)
    return counts, extras


def add_extras(engine: Engine, *, today: date, say: Progress) -> dict[str, Any]:
    """The sign-in manager and the long case, both through the services."""
    admin = staff(engine, p.Role.ADMIN)
    with engine.connect() as conn:
        existing = conn.execute(
            sa.text("SELECT id FROM app_user WHERE username = :u"), {"u": MANAGER_USERNAME}
        ).scalar()
    if existing is None:
        users.create_user(
            engine,
            user=admin,
            data=UserCreate(
                username=MANAGER_USERNAME,
                name="Bench Manager",
                password=MANAGER_PASSWORD,
                roles=[p.Role.MANAGER.value],
            ),
        )
    started = time.perf_counter()
    customer_id, case_id = long_case(engine, today=today)
    say(f"long case ({LONG_CASE_EVENTS} steps) recorded in {time.perf_counter() - started:.0f} s")
    return {"manager": MANAGER_USERNAME, "long_case_customer": customer_id, "long_case": case_id}


def staff(engine: Engine, role: p.Role) -> UserContext:
    """The first active user holding ``role`` (with all their roles)."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT u.id, u.username, u.name FROM app_user u JOIN user_role r "
                "ON r.user_id = u.id WHERE r.role = :role AND u.active "
                "ORDER BY (SELECT count(*) FROM user_role o WHERE o.user_id = u.id), u.id "
                "LIMIT 1"
            ),
            {"role": role.value},
        ).one()
        roles = conn.execute(
            sa.text("SELECT role FROM user_role WHERE user_id = :id"), {"id": row.id}
        ).scalars()
        return UserContext(row.id, row.username, row.name, frozenset(p.Role(r) for r in roles))


def _spread(first: date, last: date, n: int) -> list[date]:
    span = max(0, (last - first).days)
    return [first + timedelta(days=span * i // max(1, n - 1)) for i in range(n)]


def long_case(engine: Engine, *, today: date) -> tuple[int, int]:
    """A customer whose case has exactly ``LONG_CASE_EVENTS`` steps, recorded step by step
    through the services; returns (customer id, case id). Idempotent."""
    manager = staff(engine, p.Role.CASE_MANAGER)
    spoc = staff(engine, p.Role.OFFICER)
    with engine.connect() as conn:
        found = conn.execute(
            sa.text("SELECT id FROM customer WHERE tenancy_ref = :ref"), {"ref": LONG_CASE_REF}
        ).scalar()
        team_id = conn.execute(
            sa.text("SELECT team_id FROM app_user WHERE id = :id"), {"id": manager.id}
        ).scalar()
    if found is None:
        customer = customers.create_customer(
            engine,
            user=manager,
            data=CustomerCreate(
                tenancy_ref=LONG_CASE_REF,
                name="Morgan Longhistory",
                address="1 Benchmark Row, Testville",
                team_id=team_id,
            ),
        )
        assert customer.id is not None
        customer_id = customer.id
    else:
        customer_id = int(found)

    def events() -> int:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text(
                        "SELECT count(*) FROM case_event e JOIN ube_case c ON c.id = e.case_id "
                        "WHERE c.customer_id = :c"
                    ),
                    {"c": customer_id},
                ).scalar_one()
            )

    if events() == 0:
        _record_long_case(engine, manager, spoc, customer_id, today)
    with engine.connect() as conn:
        case_id = conn.execute(
            sa.text("SELECT id FROM ube_case WHERE customer_id = :c ORDER BY id DESC"),
            {"c": customer_id},
        ).scalar_one()
    return customer_id, int(case_id)


def _record_long_case(
    engine: Engine, manager: UserContext, spoc: UserContext, customer_id: int, today: date
) -> None:
    def incident(day: date, n: int) -> int:
        data = IncidentCreate(
            customer_id=customer_id,
            occurred_at=datetime.combine(day, dtime(10 + n % 6, 15), tzinfo=UTC),
            channel=p.Channel.PHONE.value if n % 3 else p.Channel.EMAIL.value,
            category=p.Category.UNREASONABLY_PERSISTENT.value,
            behaviour=None,
            severity=p.Severity.MODERATE.value if n % 5 else p.Severity.LOW.value,
            narrative=f"Called again about the same repair, the {n}th time; demanded a manager.",
            colleague="Customer services",
        )
        return cases.record_incident(engine, user=manager, data=data, today=today).case_id

    def contact(day: date, n: int) -> None:
        cases.record_contact(
            engine,
            user=manager,
            customer_id=customer_id,
            on=day,
            channel=p.Channel.PHONE if n % 2 else p.Channel.EMAIL,
            topic="Repairs",
            via_spoc=n % 3 != 0,
            note="Inbound contact",
            today=today,
        )

    start = today - timedelta(days=700)
    case_id = incident(start, 0)
    cases.record_informal_step(
        engine,
        user=manager,
        case_id=case_id,
        kind=p.InformalKind.SUPPORT,
        on=start + timedelta(days=2),
        note="Support offered",
        today=today,
    )
    steps = 2
    before = _spread(start + timedelta(days=3), today - timedelta(days=215), 198)
    for n, day in enumerate(before, start=1):
        (incident if n % 2 else contact)(day, n)
    steps += len(before)
    cases.record_eia(
        engine,
        user=manager,
        case_id=case_id,
        on=today - timedelta(days=210),
        proportionate=True,
        needs_considered="No recorded needs; reasonable adjustments considered.",
        today=today,
    )
    cases.give_formal_warning(
        engine,
        user=manager,
        case_id=case_id,
        on=today - timedelta(days=208),
        behaviour="Persistent calls about the same matter",
        today=today,
    )
    incident(today - timedelta(days=206), 999)
    cases.restrict_contact(
        engine,
        user=manager,
        case_id=case_id,
        on=today - timedelta(days=200),
        types=[p.RestrictionType.SPOC],
        months=12,
        reasons="Persistent contact after a formal warning.",
        spoc_user_id=spoc.id,
        informed="Customer services, repairs contractor",
        today=today,
    )
    steps += 4
    after = _spread(today - timedelta(days=199), today, LONG_CASE_EVENTS - steps)
    for n, day in enumerate(after, start=1):
        (incident if n % 4 == 0 else contact)(day, n)


# -- the cached SQLite file ----------------------------------------------------------------
def _sqlite_pragmas(engine: Engine, *statements: str) -> None:
    """PRAGMAs outside any transaction (the engine's connections begin IMMEDIATE)."""
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        for statement in statements:
            driver.execute(statement).fetchall()
    finally:
        raw.close()


def _key(customers_n: int, seed: int, head: str) -> str:
    return f"ube-{customers_n}-seed{seed}-{head}"


def _meta_path(db: Path) -> Path:
    return db.with_suffix(".json")


def _read_meta(db: Path) -> dict[str, Any] | None:
    meta = _meta_path(db)
    if not db.exists() or not meta.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(meta.read_text())
    except ValueError:
        return None
    return data


def _write_meta(db: Path, meta: dict[str, Any]) -> None:
    tmp = _meta_path(db).with_suffix(".json.tmp")
    tmp.write_text(json.dumps(meta, indent=2, sort_keys=True))
    tmp.replace(_meta_path(db))


def _remove(db: Path) -> None:
    for f in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), _meta_path(db)):
        f.unlink(missing_ok=True)


def _adopt_older(data_dir: Path, customers_n: int, seed: int, target: Path, say: Progress) -> None:
    """A complete set of the same size and seed built for an older schema: upgrade, rename."""
    for db in sorted(data_dir.glob(f"ube-{customers_n}-seed{seed}-*.db")):
        meta = _read_meta(db)
        if db == target or meta is None or meta.get("phase") not in ("demo", "complete"):
            continue
        url = f"sqlite:///{db}"
        say(f"upgrading {db.name} to the current schema…")
        try:
            started = time.perf_counter()
            migrate(url)
        except Exception as error:  # an unknown or newer revision: build afresh
            say(f"cannot upgrade {db.name} ({error}); building afresh")
            continue
        meta["head"] = schema_head()
        meta["upgrade_seconds"] = round(time.perf_counter() - started, 1)
        db.replace(target)
        _meta_path(db).replace(_meta_path(target))
        _write_meta(target, meta)
        return


def sqlite_dataset(
    data_dir: Path,
    *,
    customers_n: int,
    seed: int,
    rebuild: bool = False,
    progress: bool = True,
    say: Progress = print,
) -> DataSet:
    """Build or reuse the cached SQLite data set of ``customers_n`` customers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    head = schema_head()
    db = data_dir / f"{_key(customers_n, seed, head)}.db"
    if rebuild:
        _remove(db)
    if _read_meta(db) is None:
        _adopt_older(data_dir, customers_n, seed, db, say)
    meta = _read_meta(db)
    url = f"sqlite:///{db}"
    reused = meta is not None
    if meta is None:
        _remove(db)
        today = date.today()
        migrate(url)
        engine = make_engine(url)
        started = time.perf_counter()
        try:
            say(f"building the data set {db.name} (once; later runs reuse it)")
            counts = load_demo(
                engine, customers=customers_n, seed=seed, today=today, progress=progress
            )
            meta = {
                "phase": "demo",
                "customers": customers_n,
                "seed": seed,
                "today": today.isoformat(),
                "head": head,
                "demo_sha": demo_fingerprint(),
                "counts": counts,
                "build_seconds": round(time.perf_counter() - started, 1),
            }
            _write_meta(db, meta)
        finally:
            engine.dispose()
    if meta.get("phase") != "complete":
        engine = make_engine(url)
        started = time.perf_counter()
        try:
            meta["extras"] = add_extras(engine, today=date.fromisoformat(meta["today"]), say=say)
            _sqlite_pragmas(engine, "PRAGMA optimize", "PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()
        meta["build_seconds"] = round(
            float(meta.get("build_seconds", 0)) + time.perf_counter() - started, 1
        )
        meta["phase"] = "complete"
        _write_meta(db, meta)
    if rebuild is False and meta.get("head") != head:  # upgraded in place above
        meta["head"] = head
        _write_meta(db, meta)
    migrate(url)  # no-op at head; guards against a file left behind by an older head
    return DataSet(
        url=url,
        customers=int(meta["customers"]),
        seed=int(meta["seed"]),
        today=date.fromisoformat(meta["today"]),
        head=head,
        build_seconds=float(meta["build_seconds"]),
        reused=reused,
        path=db,
        counts=dict(meta.get("counts", {})),
        extras=dict(meta.get("extras", {})),
        demo_changed=meta.get("demo_sha") != demo_fingerprint(),
    )
