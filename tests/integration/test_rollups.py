"""The dashboard's per-day incident counts are kept by the database itself (migration 0007):
whatever writes an incident or changes a customer's needs, the counts stay equal to a count
of the incidents, on SQLite and on PostgreSQL."""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ube_core.queries.dashboard import NEEDS_GROUPS, NO_NEEDS, OTHER_NEEDS
from ube_core.services import cases, customers
from ube_core.storage.models import CustomerCreate

from .conftest import TODAY, World, incident_data

migration = importlib.import_module("ube_core.storage.migrations.versions.0007_dashboard_rollups")


def _rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql)).all()]


def rollups(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The two rollups (zero rows left out), as stored."""
    daily = _rows(
        engine,
        "SELECT day, team_key, category, channel, n FROM incident_daily WHERE n <> 0 "
        "ORDER BY day, team_key, category, channel",
    )
    need = _rows(
        engine,
        "SELECT day, team_key, needs_group, n FROM incident_need_daily WHERE n <> 0 "
        "ORDER BY day, team_key, needs_group",
    )
    return daily, need


def recounted(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The same counts, counted from the incidents."""
    daily = _rows(
        engine,
        "SELECT occurred_on, coalesce(team_id, 0) AS t, category, channel, count(*) "
        "FROM incident GROUP BY occurred_on, t, category, channel "
        "ORDER BY occurred_on, t, category, channel",
    )
    need = _rows(
        engine,
        "SELECT i.occurred_on, coalesce(i.team_id, 0) AS t, c.needs_group, count(*) "
        "FROM incident i JOIN customer c ON c.id = i.customer_id "
        "GROUP BY i.occurred_on, t, c.needs_group ORDER BY i.occurred_on, t, c.needs_group",
    )
    return daily, need


def group_of(engine: Engine, customer_id: int) -> str:
    return str(_rows(engine, f"SELECT needs_group FROM customer WHERE id = {customer_id}")[0][0])


def test_the_migration_freezes_the_same_needs_groups_as_the_dashboard() -> None:
    assert migration.NEEDS_GROUPS == NEEDS_GROUPS
    assert (migration.NO_NEEDS, migration.OTHER_NEEDS) == (NO_NEEDS, OTHER_NEEDS)


def test_counts_follow_incidents_and_a_change_of_needs(world: World) -> None:
    e, officer, cm = world.engine, world.officer, world.case_manager
    assert group_of(e, world.customer_id) == "Mental health"  # "Anxiety; prefers email"
    other = customers.create_customer(
        e, user=cm, data=CustomerCreate(tenancy_ref="t-0002", name="Dee Other", needs="  ")
    )
    assert other.id is not None
    assert group_of(e, other.id) == NO_NEEDS
    for day, customer_id, channel in (
        (date(2025, 3, 3), world.customer_id, "phone"),
        (date(2025, 3, 3), world.customer_id, "phone"),
        (date(2025, 3, 3), other.id, "email"),
        (date(2025, 4, 1), other.id, "phone"),
    ):
        cases.record_incident(
            e, user=officer, data=incident_data(customer_id, day, channel=channel), today=TODAY
        )
    daily, need = rollups(e)
    assert (daily, need) == recounted(e)
    assert sum(row[-1] for row in daily) == 4
    assert {row[2]: row[3] for row in need if str(row[0]) == "2025-03-03"} == {
        "Mental health": 2,
        NO_NEEDS: 1,
    }

    # Needs recorded for the second customer: their two incidents move to the new group.
    customers.update_needs(
        e,
        user=cm,
        customer_id=other.id,
        needs="Hearing loss; uses a hearing aid",
        adjustments="",
        note="Told us on the phone",
        today=TODAY,
        expected_version=1,
    )
    assert group_of(e, other.id) == "Sensory or physical"
    assert rollups(e) == recounted(e)
    assert NO_NEEDS not in {row[2] for row in rollups(e)[1]}

    # Any writer is counted, not only the services: a correction and a removal by SQL.
    with e.begin() as conn:
        conn.execute(
            sa.text("UPDATE incident SET channel = 'letter' WHERE customer_id = :c"),
            {"c": world.customer_id},
        )
        conn.execute(
            sa.text(
                "DELETE FROM incident WHERE id = (SELECT max(id) FROM incident "
                "WHERE customer_id = :c)"
            ),
            {"c": other.id},
        )
    assert rollups(e) == recounted(e)
    assert sum(row[-1] for row in rollups(e)[0]) == 3
