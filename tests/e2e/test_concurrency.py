"""Hardening: 20 simultaneous writers on PostgreSQL, recording incidents and screening
contacts through the real services for ``UBE_SOAK_SECONDS`` (default 60) seconds.

Afterwards every successful call is exactly one row (none lost, none doubled), every case's
chronology is numbered 1..n without gaps, every step has exactly one audit event, each
customer has one open case, and no call raised anything. The figures (writes per second,
latencies) are printed and kept in artifacts/e2e/concurrency.json.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from ube_core import procedure as p
from ube_core.services import cases, customers, users
from ube_core.services.context import UserContext
from ube_core.storage.db import make_engine, migrate
from ube_core.storage.models import CustomerCreate, IncidentCreate, UserCreate

from .server import ARTIFACTS

WRITERS = 20
CUSTOMERS = 40
TODAY = date(2025, 6, 30)
SOAK_SECONDS = float(os.environ.get("UBE_SOAK_SECONDS", "60"))
TOPICS = [None, "urgent_repair", "Rent account query"]


@dataclass
class Tally:
    incidents: Counter[int] = field(default_factory=Counter)  # customer id → successes
    contacts: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _database(server_url: str, name: str) -> str:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def _people(engine: sa.Engine) -> list[UserContext]:
    admin = users.create_first_admin(
        engine,
        data=UserCreate(username="soak.admin", name="Soak Admin", password="correct horse battery"),
    )
    acting = UserContext(admin.id, admin.username, admin.name, frozenset({p.Role.ADMIN}))
    staff = []
    for i in range(4):
        made = users.create_user(
            engine,
            user=acting,
            data=UserCreate(
                username=f"soak.officer{i}",
                name=f"Officer {i}",
                password="correct horse battery",
                roles=["officer"],
            ),
        )
        staff.append(UserContext(made.id, made.username, made.name, frozenset({p.Role.OFFICER})))
    return staff


def _writer(
    engine: sa.Engine,
    seed: int,
    officer: UserContext,
    customer_ids: list[int],
    stop_at: float,
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < stop_at:
        customer_id = rng.choice(customer_ids)
        on = TODAY - timedelta(days=rng.randrange(0, 30))
        started = time.perf_counter()
        kind = "incident" if rng.random() < 0.5 else "contact"
        try:
            if kind == "incident":
                cases.record_incident(
                    engine,
                    user=officer,
                    data=IncidentCreate(
                        customer_id=customer_id,
                        occurred_at=datetime(on.year, on.month, on.day, 10, 30, tzinfo=UTC),
                        channel=rng.choice(["phone", "email", "visit"]),
                        category="aggressive_abusive",
                        severity=rng.choice(["low", "moderate"]),
                        narrative=f"Soak writer {seed}: shouted at the colleague.",
                        colleague=officer.name,
                    ),
                    today=TODAY,
                )
            else:
                cases.record_contact(
                    engine,
                    user=officer,
                    customer_id=customer_id,
                    on=on,
                    channel=p.Channel(rng.choice(["phone", "email", "letter"])),
                    topic=rng.choice(TOPICS),
                    note=f"Soak writer {seed}.",
                    today=TODAY,
                )
        except Exception:
            with tally.lock:
                tally.errors.append(f"{kind} by writer {seed}: {traceback.format_exc()}")
            continue
        elapsed = time.perf_counter() - started
        with tally.lock:
            (tally.incidents if kind == "incident" else tally.contacts)[customer_id] += 1
            tally.latencies.append(elapsed)


@pytest.mark.postgres
@pytest.mark.slow
def test_twenty_writers_lose_and_duplicate_nothing(pg_url: str) -> None:
    url = _database(pg_url, "ube_soak")
    migrate(url)
    engine = make_engine(url, pool_size=WRITERS, max_overflow=0)
    try:
        staff = _people(engine)
        customer_ids = [
            customers.create_customer(
                engine,
                user=staff[0],
                data=CustomerCreate(tenancy_ref=f"SOAK{i:04d}", name=f"Soak Customer {i}"),
            ).id
            for i in range(CUSTOMERS)
        ]
        tally = Tally()
        stop_at = time.monotonic() + SOAK_SECONDS
        threads = [
            threading.Thread(
                target=_writer,
                args=(engine, seed, staff[seed % len(staff)], customer_ids, stop_at, tally),
                name=f"writer-{seed}",
            )
            for seed in range(WRITERS)
        ]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(SOAK_SECONDS + 120)
        wall = time.monotonic() - began
        assert not any(t.is_alive() for t in threads), "a writer hung"

        assert not tally.errors, f"{len(tally.errors)} unhandled errors; first:\n{tally.errors[0]}"
        writes = sum(tally.incidents.values()) + sum(tally.contacts.values())
        assert writes > 0

        with engine.connect() as conn:

            def per_customer(table: str) -> Counter[int]:
                rows = conn.execute(
                    sa.text(f"SELECT customer_id, count(*) FROM {table} GROUP BY customer_id")
                ).all()
                return Counter({int(c): int(n) for c, n in rows})

            # Not one lost or doubled: rows per customer equal successful calls per customer.
            assert per_customer("incident") == +tally.incidents
            assert per_customer("contact") == +tally.contacts
            # One open case per customer, even though the first writes raced to open it.
            open_cases = conn.execute(
                sa.text(
                    "SELECT customer_id, count(*) FROM ube_case WHERE closed_on IS NULL "
                    "GROUP BY customer_id HAVING count(*) > 1"
                )
            ).all()
            assert open_cases == [], f"customers with two open cases: {open_cases}"
            # Each case's chronology is 1..n: no duplicate, no gap; version = 1 + steps.
            bad = conn.execute(
                sa.text(
                    "SELECT c.id, count(e.id), count(DISTINCT e.seq), min(e.seq), max(e.seq), "
                    "c.version FROM ube_case c JOIN case_event e ON e.case_id = c.id "
                    "GROUP BY c.id, c.version HAVING count(e.id) <> count(DISTINCT e.seq) "
                    "OR min(e.seq) <> 1 OR max(e.seq) <> count(e.id) "
                    "OR c.version <> 1 + count(e.id)"
                )
            ).all()
            assert bad == [], f"cases with a broken chronology: {bad[:5]}"
            events = conn.execute(sa.text("SELECT count(*) FROM case_event")).scalar_one()
            assert events == writes
            # Audit count equals write count, one audit event per recorded step.
            audited = conn.execute(
                sa.text(
                    "SELECT count(*), count(DISTINCT entity_id) FROM audit_log "
                    "WHERE entity = 'case_event' AND action IN ('case.incident', 'case.contact')"
                )
            ).one()
            assert tuple(audited) == (writes, writes)
            unaudited = conn.execute(
                sa.text(
                    "SELECT count(*) FROM case_event e WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
                    "WHERE a.entity = 'case_event' AND a.entity_id = e.id)"
                )
            ).scalar_one()
            assert unaudited == 0

        lat = sorted(tally.latencies)
        figures = {
            "writers": WRITERS,
            "customers": CUSTOMERS,
            "seconds": round(wall, 1),
            "writes": writes,
            "incidents": sum(tally.incidents.values()),
            "contacts": sum(tally.contacts.values()),
            "writes_per_second": round(writes / wall, 1),
            "latency_ms_p50": round(statistics.median(lat) * 1000, 1),
            "latency_ms_p95": round(lat[int(0.95 * (len(lat) - 1))] * 1000, 1),
            "latency_ms_max": round(lat[-1] * 1000, 1),
            "lost": 0,
            "duplicated": 0,
            "errors": 0,
            "audit_events": writes,
        }
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "concurrency.json").write_text(json.dumps(figures, indent=2) + "\n")
        print("\nconcurrency:", json.dumps(figures))
    finally:
        engine.dispose()
