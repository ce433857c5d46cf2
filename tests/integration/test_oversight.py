"""The oversight pages' own queries (``ube_core.queries_oversight``) and the quarterly SPOC
sign-off service (``ube_core.services.oversight``), on SQLite and PostgreSQL.

Data is built through the real services from ``conftest.build_restricted_case``: a six-month
SPOC restriction made on 10 Feb 2025; the tests run "on" 30 Apr 2025 (quarter 2025-Q2).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from ube_core import procedure as p
from ube_core import queries as q
from ube_core import queries_oversight as qo
from ube_core.errors import InvalidInput, NotAuthorised, StepRefused
from ube_core.services import cases, customers
from ube_core.services.cases import RecommendationIn
from ube_core.services.oversight import sign_off_spoc
from ube_core.storage.models import CustomerCreate, Letter, Recommendation, SpocReview

from .conftest import (
    RESTRICT_ON,
    TODAY,
    Built,
    World,
    audit_events,
    build_restricted_case,
    event_actions,
    make_user,
    one,
    rows,
)

ALL_TICKED = {
    "correspondence_reviewed": True,
    "decisions_reviewed": True,
    "customer_informed_of_changes": True,
    "still_proportionate": True,
    "eia_current": True,
    "replies_timely": True,
}


def set_line_manager(world: World, user_id: int | None, manager_id: int | None) -> None:
    """No service sets line managers yet: set it directly."""
    with world.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE app_user SET line_manager_id = :m WHERE id = :u"),
            {"m": manager_id, "u": user_id},
        )


# -- the sign-off ---------------------------------------------------------------------------
def test_sign_off_is_a_case_event_with_its_recommendations(world: World) -> None:
    built = build_restricted_case(world)
    review_id = sign_off_spoc(
        world.engine,
        user=world.line_manager,
        restriction_id=built.restriction_id,
        on=TODAY,
        checklist={**ALL_TICKED, "replies_timely": False},
        findings="Two replies took over a week.",
        recommendations=[
            RecommendationIn(" Reply within 5 days ", world.spoc.id, TODAY + timedelta(days=14))
        ],
        today=TODAY,
    )
    assert event_actions(world.engine, built.case_id)[-1] == "spoc_review"
    review = one(world.engine, SpocReview, id=review_id)
    assert review.quarter == "2025-Q2"
    assert review.reviewer_id == world.line_manager.id
    assert review.replies_timely is False and review.correspondence_reviewed is True
    (rec,) = rows(world.engine, Recommendation, spoc_review_id=review_id)
    assert (rec.text, rec.owner_id, rec.due_on) == (
        "Reply within 5 days",
        world.spoc.id,
        TODAY + timedelta(days=14),
    )
    assert [e.action for e in audit_events(world.engine)][-1] == "case.spoc_review"

    # tracked until done: listed for the reviewer who raised it and for its owner
    raised = qo.open_recommendations(
        world.engine, user=world.line_manager, today=TODAY, mine_only=True
    )
    assert raised["recommendation_id"].tolist() == [rec.id]
    assert raised["owner_name"].tolist() == [world.spoc.name]
    assert raised["raised_by"].tolist() == [world.line_manager.name]
    assert raised["overdue"].tolist() == [False]
    others = qo.open_recommendations(world.engine, user=world.case_manager, today=TODAY)
    assert len(others) == 1
    assert qo.open_recommendations(
        world.engine, user=world.case_manager, today=TODAY, mine_only=True
    ).empty
    later = TODAY + timedelta(days=20)
    late = qo.open_recommendations(world.engine, user=world.manager, today=later, overdue_only=True)
    assert late["days_overdue"].tolist() == [6]
    assert qo.recommendation_counts(world.engine, user=world.manager, today=later) == (1, 1)
    cases.complete_recommendation(
        world.engine, user=world.spoc, recommendation_id=rec.id, note="Done.", today=later
    )
    assert qo.recommendation_counts(world.engine, user=world.manager, today=later) == (0, 0)
    assert qo.open_recommendations(world.engine, user=world.manager, today=later).empty


def test_the_spoc_cannot_sign_off_their_own_work(
    world: World, unchanged: Callable[[], Callable[[], None]]
) -> None:
    world.spoc = make_user(
        world.engine, world.admin, "lena.spoc", p.Role.OFFICER, p.Role.LINE_MANAGER
    )
    built = build_restricted_case(world)
    check = unchanged()
    with pytest.raises(StepRefused) as refused:
        sign_off_spoc(
            world.engine,
            user=world.spoc,
            restriction_id=built.restriction_id,
            on=TODAY,
            checklist=ALL_TICKED,
            today=TODAY,
        )
    assert refused.value.reasons == (p.Reason.REVIEWER_IS_SPOC,)
    check()


@pytest.mark.parametrize(
    ("checklist", "findings", "recommendations", "field"),
    [
        ({**ALL_TICKED, "correspondence_reviewed": False}, "", [], "correspondence_reviewed"),
        ({**ALL_TICKED, "decisions_reviewed": False}, "", [], "decisions_reviewed"),
        ({**ALL_TICKED, "eia_current": False}, "  ", [], "findings"),
        ({**ALL_TICKED, "bogus": True}, "", [], "checklist"),
        (ALL_TICKED, "", [RecommendationIn("Call", None, TODAY)], "recommendation_owner"),
        (ALL_TICKED, "", [RecommendationIn("  ", 1, TODAY)], "recommendation"),
        (
            ALL_TICKED,
            "",
            [RecommendationIn("Call", 1, TODAY - timedelta(days=1))],
            "recommendation_due",
        ),
    ],
    ids=["no-correspondence", "no-decisions", "unexplained", "unknown", "no-owner", "no-text",
         "due-early"],
)  # fmt: skip
def test_incomplete_sign_offs_are_refused_and_nothing_is_written(
    world: World,
    unchanged: Callable[[], Callable[[], None]],
    checklist: dict[str, bool],
    findings: str,
    recommendations: list[RecommendationIn],
    field: str,
) -> None:
    built = build_restricted_case(world)
    check = unchanged()
    with pytest.raises(InvalidInput) as refused:
        sign_off_spoc(
            world.engine,
            user=world.line_manager,
            restriction_id=built.restriction_id,
            on=TODAY,
            checklist=checklist,
            findings=findings,
            recommendations=recommendations,
            today=TODAY,
        )
    assert refused.value.field == field
    check()


def test_an_unticked_item_is_accepted_with_a_recommendation_instead_of_findings(
    world: World,
) -> None:
    built = build_restricted_case(world)
    sign_off_spoc(
        world.engine,
        user=world.case_manager,
        restriction_id=built.restriction_id,
        on=TODAY,
        checklist={**ALL_TICKED, "eia_current": False},
        recommendations=[RecommendationIn("Review the EIA", world.case_manager.id, TODAY)],
        today=TODAY,
    )
    work = q.spoc_worklist(world.engine, user=world.case_manager, manager_id=0, today=TODAY)
    assert work["status"].tolist() == ["signed_off"]


# -- the register's SPOC and temporary SPOC ----------------------------------------------------
def test_spoc_cover_names_the_colleague_covering_a_temporary_handover(world: World) -> None:
    built = build_restricted_case(world)
    cover = qo.spoc_cover(world.engine, user=world.officer, restriction_ids=[built.restriction_id])
    assert cover.to_dict("records") == [
        {
            "restriction_id": built.restriction_id,
            "spoc": world.spoc.name,
            "temporary_spoc": None,
            "temporary_since": None,
        }
    ]
    covering = make_user(world.engine, world.admin, "cora.cover", p.Role.OFFICER)
    on = RESTRICT_ON + timedelta(days=30)
    cases.hand_over_spoc(
        world.engine,
        user=world.case_manager,
        case_id=built.case_id,
        on=on,
        to_user_id=covering.id,
        customer_informed=True,
        temporary=True,
        today=TODAY,
    )
    cover = qo.spoc_cover(world.engine, user=world.officer, restriction_ids=[built.restriction_id])
    (row,) = cover.to_dict("records")
    assert (row["spoc"], row["temporary_spoc"], row["temporary_since"]) == (
        world.spoc.name,
        covering.name,
        on,
    )
    # handed back for good: no temporary SPOC any more
    cases.hand_over_spoc(
        world.engine,
        user=world.case_manager,
        case_id=built.case_id,
        on=on + timedelta(days=14),
        to_user_id=world.spoc.id,
        customer_informed=True,
        today=TODAY,
    )
    (row,) = qo.spoc_cover(
        world.engine, user=world.officer, restriction_ids=[built.restriction_id]
    ).to_dict("records")
    assert (row["spoc"], row["temporary_spoc"]) == (world.spoc.name, None)
    assert qo.spoc_cover(world.engine, user=world.officer, restriction_ids=[]).empty


# -- a SPOC's quarter ---------------------------------------------------------------------
def test_correspondence_counts_only_this_quarter(world: World) -> None:
    built = build_restricted_case(world)
    for on, channel in (
        (date(2025, 3, 20), p.Channel.EMAIL),  # last quarter
        (date(2025, 4, 2), p.Channel.EMAIL),
        (date(2025, 4, 20), p.Channel.PHONE),  # a breach: not via the SPOC
    ):
        cases.record_contact(
            world.engine,
            user=world.officer,
            customer_id=world.customer_id,
            on=on,
            channel=channel,
            via_spoc=channel is p.Channel.EMAIL,
            today=TODAY,
        )
    with Session(world.engine) as session:
        for dated in (date(2025, 3, 31), date(2025, 4, 1)):
            session.add(Letter(case_id=built.case_id, kind="note", dated=dated, body="x"))
        session.commit()
    seen = qo.spoc_quarter_correspondence(
        world.engine, user=world.line_manager, restriction_id=built.restriction_id, today=TODAY
    )
    assert (seen.quarter_start, seen.quarter_end) == (date(2025, 4, 1), date(2025, 6, 30))
    assert seen.letters["dated"].tolist() == [date(2025, 4, 1)]
    assert seen.contacts["occurred_on"].tolist() == [date(2025, 4, 2), date(2025, 4, 20)]
    assert seen.contacts["screen"].tolist() == ["allowed", "breach"]
    assert seen.decisions.empty  # every step in April was a contact


# -- my work: each team's totals --------------------------------------------------------------
def second_team_case(world: World) -> Built:
    from ube_core.services.users import ensure_team

    south = ensure_team(world.engine, name="South patch")
    world.extra["south"] = south
    created = customers.create_customer(
        world.engine,
        user=world.case_manager,
        data=CustomerCreate(tenancy_ref="s-0001", name="Dee South", team_id=south),
    )
    return build_restricted_case(world, customer_id=created.id)


def test_team_totals_by_role(world: World) -> None:
    build_restricted_case(world)
    second_team_case(world)
    # Both restrictions: SPOC review due 10 May 2025 (a quarter after 10 Feb), within 14 days.
    everyone = qo.team_work_totals(world.engine, user=world.manager, today=TODAY)
    assert sorted(zip(everyone["team"], everyone["kind"], everyone["due_soon"], strict=True)) == [
        ("North patch", "spoc_review", 1),
        ("South patch", "spoc_review", 1),
    ]
    assert everyone["overdue"].sum() == 0
    # the line manager's team is North, and no one from South reports to them
    mine = qo.team_work_totals(world.engine, user=world.line_manager, today=TODAY)
    assert mine["team"].tolist() == ["North patch"]
    # a South officer reporting to them brings South in
    south_officer = make_user(
        world.engine, world.admin, "sid.south", p.Role.OFFICER, team_id=world.extra["south"]
    )
    set_line_manager(world, south_officer.id, world.line_manager.id)
    mine = qo.team_work_totals(world.engine, user=world.line_manager, today=TODAY)
    assert sorted(mine["team"]) == ["North patch", "South patch"]
    # seven weeks on, both SPOC reviews are overdue
    later = qo.team_work_totals(world.engine, user=world.manager, today=date(2025, 6, 20))
    spoc = later[later["kind"] == "spoc_review"]
    assert spoc["overdue"].tolist() == [1, 1]
    with pytest.raises(NotAuthorised):
        qo.team_work_totals(world.engine, user=world.officer, today=TODAY)
    with pytest.raises(InvalidInput):
        qo.team_work_totals(world.engine, user=world.manager, today=TODAY, horizon_days=-1)


# -- filter choices, links and the calendar export ------------------------------------------
def test_filter_options_and_case_links(world: World) -> None:
    built = build_restricted_case(world)
    set_line_manager(world, world.spoc.id, world.line_manager.id)
    options = qo.filter_options(world.engine, user=world.manager)
    assert options.teams == ((world.team_id, "North patch"),)
    assert options.spocs == ((world.spoc.id, world.spoc.name),)
    assert options.line_managers == ((world.line_manager.id, world.line_manager.name),)
    colleague_ids = {i for i, _ in options.colleagues}
    assert {world.officer.id, world.case_manager.id, world.spoc.id} <= colleague_ids
    assert world.manager.id not in colleague_ids and world.admin.id not in colleague_ids
    assert qo.customers_of_cases(
        world.engine, user=world.officer, case_ids=[built.case_id, built.case_id]
    ) == {built.case_id: world.customer_id}
    # asked in batches: thousands of ids (a long calendar) stay within the bound-value limits
    many = [*range(built.case_id + 1, built.case_id + 2500), built.case_id]
    assert qo.customers_of_cases(world.engine, user=world.officer, case_ids=many) == {
        built.case_id: world.customer_id
    }
    with pytest.raises(NotAuthorised):
        qo.filter_options(world.engine, user=world.admin)


def test_calendar_export_is_the_calendar_and_is_audited(world: World) -> None:
    build_restricted_case(world)
    args = {"start": date(2025, 5, 1), "end": date(2025, 8, 31), "today": TODAY}
    shown = q.calendar_items(world.engine, user=world.manager, **args)
    exported = qo.calendar_export(world.engine, user=world.manager, **args)
    assert exported.equals(shown)
    assert set(exported["kind"]) == {"spoc_review", "eia_review", "case_review", "restriction_end"}
    (event,) = audit_events(world.engine, action="calendar.export")
    assert event.user_id == world.manager.id
    assert f'"rows": {len(shown)}' in event.detail
    with pytest.raises(NotAuthorised):
        qo.calendar_export(world.engine, user=world.admin, **args)
