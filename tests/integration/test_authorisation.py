"""Who may do what (DESIGN.md rule 11), over every service function, on both databases.

The expected matrix is written out from the rule text, not derived from the code:

    officers — incident, contact, support, initial warning, circumstances change, recording
    an appeal or request; case managers — those and every case action but the two
    decisions; line managers — officer actions and SPOC reviews; senior officers —
    everything; managers and admins — no case actions.

Allowed roles succeed; every other role is refused as not authorised and nothing at all is
written (every row of every table compared before and after). Case steps are refused with
``StepRefused`` carrying exactly ``NOT_AUTHORISED`` (the case is otherwise ready for the
step); other services raise ``NotAuthorised``. Roles are always read from the database, never
from the ``UserContext`` the caller passes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from ube_core import procedure as p
from ube_core.errors import NotAuthorised, StepRefused
from ube_core.services import cases, customers, users
from ube_core.services.cases import RecommendationIn
from ube_core.services.context import UserContext
from ube_core.storage.models import (
    CustomerCreate,
    Recommendation,
    UserCreate,
)

from .conftest import (
    PASSWORD,
    RESTRICT_ON,
    ROLES,
    TODAY,
    World,
    audit_events,
    build_restricted_case,
    incident_data,
    make_user,
    rows,
    snapshot,
)

OFF, CM, LM, SO, MGR, ADM = ROLES

# -- the matrix, from the rule text -------------------------------------------------------------
OFFICER_ACTION = frozenset({OFF, CM, LM, SO})  # officers; case managers: those; line managers
CASE_MANAGER_ACTION = frozenset({CM, SO})  # every case action but the two decisions; seniors
SPOC_REVIEW = frozenset({CM, LM, SO})  # case managers, line managers, senior officers
DECISION = frozenset({SO})  # appeal and reconsideration decisions: senior officers only

CASE_MATRIX: dict[str, frozenset[p.Role]] = {
    "record_incident": OFFICER_ACTION,
    "record_informal_step[support]": OFFICER_ACTION,
    "record_informal_step[initial_warning]": OFFICER_ACTION,
    "record_circumstances_change": OFFICER_ACTION,
    "record_eia": CASE_MANAGER_ACTION,
    "give_formal_warning": CASE_MANAGER_ACTION,
    "restrict_contact": CASE_MANAGER_ACTION,
    "record_contact": OFFICER_ACTION,
    "give_breach_warning": CASE_MANAGER_ACTION,
    "record_legal_step[legal_advice]": CASE_MANAGER_ACTION,
    "record_legal_step[legal_warning_letter]": CASE_MANAGER_ACTION,
    "record_legal_step[injunction]": CASE_MANAGER_ACTION,
    "record_legal_step[civil_restraint_order]": CASE_MANAGER_ACTION,
    "record_legal_step[nosp]": CASE_MANAGER_ACTION,
    "review_restriction": CASE_MANAGER_ACTION,
    "receive_appeal": OFFICER_ACTION,  # recording an appeal
    "decide_appeal": DECISION,
    "receive_reconsideration": OFFICER_ACTION,  # recording a request
    "decide_reconsideration": DECISION,
    "hand_over_spoc": CASE_MANAGER_ACTION,
    "review_spoc": SPOC_REVIEW,
    # Not a rule-11 step: following up a SPOC review's recommendation. Its owner may be any
    # case role (often the SPOC, an officer); managers and admins take no case actions.
    "complete_recommendation": OFFICER_ACTION,
    # "May I take this call?": for those who may record the contact (rule 11: officers up).
    "screen_contact": OFFICER_ACTION,
}
# Which of them are engine steps (refused with StepRefused/NOT_AUTHORISED).
NOT_STEPS = {"complete_recommendation", "screen_contact"}

CASE_ROLES = frozenset({OFF, CM, LM, SO})
READ_ROLES = CASE_ROLES | {MGR}
OTHER_MATRIX: dict[str, frozenset[p.Role]] = {
    "customers.create_customer": CASE_ROLES,
    "customers.find_customers": READ_ROLES,
    "customers.get_customer": READ_ROLES,  # managers without special-category data
    "customers.update_needs": frozenset({CM, SO}),  # case managers run the case; seniors all
    "users.create_user": frozenset({ADM}),
    "users.set_roles": frozenset({ADM}),
    "users.set_active": frozenset({ADM}),
    "users.reset_password": frozenset({ADM}),  # someone else's; one's own: test_users
    "users.list_users": frozenset({ADM}),
}
# Service functions that take no acting user, on purpose.
NO_USER = {
    "users.create_first_admin",  # the setup screen: refused once any user exists
    "users.user_count",  # the sign-in page asks whether setup is needed
    "users.ensure_team",  # seeding and the CLI
}


def test_the_matrix_covers_every_service_function() -> None:
    found = set()
    for module in (cases, customers, users):
        short = module.__name__.rsplit(".", 1)[1]
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params[:1] == ["engine"]:
                found.add(f"{short}.{name}")
    covered = {f"cases.{n.split('[')[0]}" for n in CASE_MATRIX} | set(OTHER_MATRIX) | NO_USER
    assert found == covered


def test_matrix_agrees_with_rule_11_as_the_engine_holds_it() -> None:
    """The engine's permission table says the same as the matrix above."""
    by_action = {
        p.Action.INCIDENT: OFFICER_ACTION,
        p.Action.CONTACT: OFFICER_ACTION,
        p.Action.SUPPORT: OFFICER_ACTION,
        p.Action.INITIAL_WARNING: OFFICER_ACTION,
        p.Action.CIRCUMSTANCES_CHANGE: OFFICER_ACTION,
        p.Action.APPEAL: OFFICER_ACTION,
        p.Action.RECONSIDERATION: OFFICER_ACTION,
        p.Action.SPOC_REVIEW: SPOC_REVIEW,
        p.Action.APPEAL_DECISION: DECISION,
        p.Action.RECONSIDERATION_DECISION: DECISION,
    }
    for action in p.Action:
        expected = by_action.get(action, CASE_MANAGER_ACTION)
        assert {r for r in ROLES if p.may([r], action)} == expected, action


# -- running one row of the matrix ----------------------------------------------------------
@dataclass
class Row:
    name: str
    call: Callable[[UserContext], object]
    writes: bool = True
    # allowed roles in the order they succeed (default: the matrix order)
    order: tuple[p.Role, ...] = ()


def check_row(world: World, row: Row, allowed: frozenset[p.Role]) -> None:
    e = world.engine
    step = row.name in CASE_MATRIX and row.name not in NOT_STEPS
    before = snapshot(e)
    for role in ROLES:
        if role in allowed:
            continue
        user = world.by_role(role)
        if step:
            with pytest.raises(StepRefused) as refused:
                row.call(user)
            assert refused.value.reasons == (p.Reason.NOT_AUTHORISED,), (row.name, role)
        else:
            with pytest.raises(NotAuthorised):
                row.call(user)
        assert snapshot(e) == before, f"{row.name}: refused {role} wrote something"

    order = row.order or tuple(r for r in ROLES if r in allowed)
    assert set(order) == allowed, row.name
    for role in order:
        user = world.by_role(role)
        seen = len(audit_events(e))
        try:
            row.call(user)
        except Exception as error:  # pragma: no cover - the failure message says who
            raise AssertionError(f"{row.name}: allowed role {role} failed: {error!r}") from error
        new = audit_events(e)[seen:]
        if row.writes:  # it wrote, and its audit trail names this user
            assert new and all(a.user_id == user.id for a in new), (row.name, role)
        else:
            assert snapshot(e) == before, (row.name, role)


# -- every case service -------------------------------------------------------------------------
ON = date(2025, 2, 20)


def test_case_services_role_matrix(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    cid, customer = built.case_id, world.customer_id
    assert world.spoc.id is not None and world.senior_officer_2.id is not None
    sue = world.senior_officer_2
    recs: list[int] = []

    def restrict(user: UserContext) -> int:
        return cases.restrict_contact(
            e,
            user=user,
            case_id=cid,
            on=ON,
            types=[p.RestrictionType.SPOC],
            months=6,
            reasons="Abuse continued.",
            spoc_user_id=world.spoc.id,
            today=TODAY,
        )

    def contact(user: UserContext) -> object:
        return cases.record_contact(
            e, user=user, customer_id=customer, on=ON, channel=p.Channel.PHONE, today=TODAY
        )

    def legal(action: p.Action) -> Row:
        return Row(
            f"record_legal_step[{action.value}]",
            lambda u: cases.record_legal_step(
                e, user=u, case_id=cid, action=action, on=ON, today=TODAY
            ),
        )

    def spoc_review(user: UserContext) -> int:
        assert world.spoc.id is not None
        review_id = cases.review_spoc(
            e,
            user=user,
            case_id=cid,
            on=ON,
            recommendations=[
                RecommendationIn("Reply faster.", world.spoc.id, date(2025, 3, 20)),
                RecommendationIn("Log every call.", world.spoc.id, date(2025, 3, 20)),
            ],
            today=TODAY,
        )
        recs.extend(r.id or 0 for r in rows(e, Recommendation, spoc_review_id=review_id))
        return review_id

    def complete(user: UserContext) -> None:
        cases.complete_recommendation(
            e, user=user, recommendation_id=recs.pop(0), note="Done.", today=TODAY
        )

    # Each row finds the case ready for it (earlier rows and the setup steps between them
    # leave it so), so the only thing a refused role lacks is the role.
    plan: list[Row | Callable[[], object]] = [
        Row(
            "record_incident",
            lambda u: cases.record_incident(
                e, user=u, data=incident_data(customer, ON), today=TODAY
            ),
        ),
        *[
            Row(
                f"record_informal_step[{kind.value}]",
                lambda u, kind=kind: cases.record_informal_step(
                    e, user=u, case_id=cid, kind=kind, on=ON, today=TODAY
                ),
            )
            for kind in p.InformalKind
        ],
        Row(
            "record_eia",
            lambda u: cases.record_eia(
                e,
                user=u,
                case_id=cid,
                on=ON,
                proportionate=True,
                needs_considered="Reviewed.",
                today=TODAY,
            ),
        ),
        Row(
            "give_formal_warning",
            lambda u: cases.give_formal_warning(
                e, user=u, case_id=cid, on=ON, behaviour="Abuse.", today=TODAY
            ),
        ),
        # setup: an incident since the warnings, so a restriction may follow
        lambda: cases.record_incident(
            e, user=world.officer, data=incident_data(customer, ON), today=TODAY
        ),
        Row("restrict_contact", restrict),
        # setup: the restriction in force is made by a senior officer who decides nothing here
        lambda: restrict(sue),
        Row("record_contact", contact),  # phone, not via the SPOC: a breach
        Row(
            "give_breach_warning",
            lambda u: cases.give_breach_warning(e, user=u, case_id=cid, on=ON, today=TODAY),
        ),
        lambda: contact(world.officer),  # setup: a breach since the warnings
        legal(p.Action.LEGAL_ADVICE),
        legal(p.Action.LEGAL_WARNING_LETTER),
        legal(p.Action.INJUNCTION),
        legal(p.Action.CIVIL_RESTRAINT_ORDER),
        legal(p.Action.NOSP),
        Row(
            "review_restriction",
            lambda u: cases.review_restriction(
                e,
                user=u,
                case_id=cid,
                on=ON,
                outcome=p.ReviewOutcome.REMAIN,
                customer_letter=True,
                today=TODAY,
            ),
        ),
        Row(
            "receive_appeal",
            lambda u: cases.receive_appeal(
                e, user=u, case_id=cid, received_on=ON, letter_date=ON, today=TODAY
            ),
        ),
        Row(
            "decide_appeal",
            lambda u: cases.decide_appeal(
                e,
                user=u,
                case_id=cid,
                on=ON,
                outcome=p.AppealOutcome.UPHELD,
                reasons="Proportionate.",
                fact_sheet_sent=True,
                today=TODAY,
            ),
        ),
        Row(
            "receive_reconsideration",
            lambda u: cases.receive_reconsideration(
                e, user=u, case_id=cid, received_on=ON, today=TODAY
            ),
        ),
        Row(
            "decide_reconsideration",
            lambda u: cases.decide_reconsideration(
                e,
                user=u,
                case_id=cid,
                on=ON,
                outcome=p.ReconsiderationOutcome.KEEP,
                reasons="Still needed.",
                today=TODAY,
            ),
        ),
        Row(
            "hand_over_spoc",
            lambda u: cases.hand_over_spoc(
                e,
                user=u,
                case_id=cid,
                on=ON,
                to_user_id=sue.id or 0,
                customer_informed=True,
                today=TODAY,
            ),
        ),
        Row("review_spoc", spoc_review),
        Row("complete_recommendation", complete),
        Row(
            "record_circumstances_change",
            lambda u: cases.record_circumstances_change(
                e, user=u, case_id=cid, on=ON, note="Moved house.", today=TODAY
            ),
        ),
        Row(
            "screen_contact",
            lambda u: cases.screen_contact(
                e, user=u, customer_id=customer, channel=p.Channel.PHONE, today=TODAY
            ),
            writes=False,
        ),
    ]
    checked = set()
    for item in plan:
        if isinstance(item, Row):
            check_row(world, item, CASE_MATRIX[item.name])
            checked.add(item.name)
        else:
            item()
    assert checked == set(CASE_MATRIX)


# -- customers and users ------------------------------------------------------------------------
def test_customer_services_role_matrix(world: World) -> None:
    e = world.engine
    refs = iter(f"T-{n:04d}" for n in range(100, 200))
    version = {"now": 1}

    def update_needs(u: UserContext) -> None:
        customers.update_needs(
            e,
            user=u,
            customer_id=world.customer_id,
            needs=f"Needs as of {u.username}.",
            adjustments="",
            note="",
            today=TODAY,
            expected_version=version["now"],
        )
        version["now"] += 1

    check_row(
        world,
        Row(
            "customers.create_customer",
            lambda u: customers.create_customer(
                e, user=u, data=CustomerCreate(tenancy_ref=next(refs), name="Sam Someone")
            ),
        ),
        OTHER_MATRIX["customers.create_customer"],
    )
    check_row(
        world,
        Row(
            "customers.find_customers",
            lambda u: customers.find_customers(e, user=u, text="Chris"),
            writes=False,
        ),
        OTHER_MATRIX["customers.find_customers"],
    )
    check_row(
        world,
        Row("customers.update_needs", update_needs),
        OTHER_MATRIX["customers.update_needs"],
    )
    for role in sorted(READ_ROLES):
        found = customers.find_customers(e, user=world.by_role(role), text="t-0001")
        assert [c.tenancy_ref for c in found] == ["T-0001"]


def test_special_category_data_only_for_case_roles_and_every_view_audited(world: World) -> None:
    e = world.engine
    for role in ROLES:
        user = world.by_role(role)
        before = snapshot(e)
        if role not in READ_ROLES:
            with pytest.raises(NotAuthorised):
                customers.get_customer(e, user=user, customer_id=world.customer_id)
            assert snapshot(e) == before
            continue
        record = customers.get_customer(e, user=user, customer_id=world.customer_id)
        assert record.customer.name == "Chris Customer"
        if role in CASE_ROLES:
            assert record.needs == "Anxiety; prefers email"
            assert record.adjustments == "Written summaries after calls"
            viewed = audit_events(e)[-1]
            assert (viewed.action, viewed.user_id, viewed.customer_id, viewed.entity_id) == (
                "customer.view_special_category",
                user.id,
                world.customer_id,
                world.customer_id,
            )
            assert len(audit_events(e)) == len(before["audit_log"]) + 1
        else:  # a manager: the record without health and needs, and nothing to audit
            assert (record.needs, record.adjustments) == (None, None)
            assert snapshot(e) == before
        # The public part never carries special-category fields.
        assert not {"needs", "adjustments"} & set(record.customer.model_dump())


def test_user_services_role_matrix(world: World) -> None:
    e = world.engine
    names = iter(f"new.user{n}" for n in range(100))
    target = world.spoc.id  # holds no role the matrix tries (resetting one's own is allowed)
    assert target is not None
    check_row(
        world,
        Row(
            "users.create_user",
            lambda u: users.create_user(
                e,
                user=u,
                data=UserCreate(username=next(names), name="New Person", password=PASSWORD),
            ),
        ),
        OTHER_MATRIX["users.create_user"],
    )
    check_row(
        world,
        Row(
            "users.set_roles",
            lambda u: users.set_roles(e, user=u, user_id=target, roles=["officer", "line_manager"]),
        ),
        OTHER_MATRIX["users.set_roles"],
    )
    check_row(
        world,
        Row(
            "users.set_active",
            lambda u: users.set_active(e, user=u, user_id=target, active=False),
        ),
        OTHER_MATRIX["users.set_active"],
    )
    users.set_active(e, user=world.admin, user_id=target, active=True)
    check_row(
        world,
        Row(
            "users.reset_password",
            lambda u: users.reset_password(
                e, user=u, user_id=target, password="a brand new passphrase"
            ),
        ),
        OTHER_MATRIX["users.reset_password"],
    )
    check_row(
        world,
        Row("users.list_users", lambda u: users.list_users(e, user=u), writes=False),
        OTHER_MATRIX["users.list_users"],
    )


# -- roles come from the database, not from the caller ---------------------------------------------
def _forged(user: UserContext, roles: frozenset[p.Role]) -> UserContext:
    return UserContext(user.id, user.username, user.name, roles)


def test_claimed_roles_do_not_count(world: World) -> None:
    """A context claiming every role gets only what the database gives its user."""
    e = world.engine
    built = build_restricted_case(world)
    forged = _forged(world.manager, frozenset(p.Role))
    before = snapshot(e)
    with pytest.raises(StepRefused) as info:
        cases.record_incident(
            e, user=forged, data=incident_data(world.customer_id, ON), today=TODAY
        )
    assert info.value.reasons == (p.Reason.NOT_AUTHORISED,)
    with pytest.raises(StepRefused):
        cases.review_restriction(
            e,
            user=forged,
            case_id=built.case_id,
            on=ON,
            outcome=p.ReviewOutcome.REMOVE,
            customer_letter=True,
            today=TODAY,
        )
    with pytest.raises(NotAuthorised):
        users.list_users(e, user=forged)
    record = customers.get_customer(e, user=forged, customer_id=world.customer_id)
    assert record.needs is None, "special-category data went to a manager claiming case roles"
    assert snapshot(e) == before


def test_roles_changed_while_signed_in_take_effect_at_once(world: World) -> None:
    """An officer moved to a manager role mid-session: their old context no longer works."""
    e = world.engine
    officer = world.officer
    assert officer.id is not None
    users.set_roles(e, user=world.admin, user_id=officer.id, roles=["manager"])
    before = snapshot(e)
    with pytest.raises(StepRefused) as info:
        cases.record_incident(
            e, user=officer, data=incident_data(world.customer_id, ON), today=TODAY
        )
    assert info.value.reasons == (p.Reason.NOT_AUTHORISED,)
    record = customers.get_customer(e, user=officer, customer_id=world.customer_id)
    assert (record.needs, record.adjustments) == (None, None)
    assert snapshot(e) == before, "a manager's view was audited as a special-category view"


def test_a_deactivated_users_stored_roles_no_longer_count(world: World) -> None:
    e = world.engine
    built = build_restricted_case(world)
    cm = world.case_manager
    assert cm.id is not None
    users.set_active(e, user=world.admin, user_id=cm.id, active=False)
    # The roles are still stored (deactivate is not delete) ...
    with e.connect() as conn:
        stored = conn.exec_driver_sql(
            f"SELECT role FROM user_role WHERE user_id = {cm.id}"
        ).scalars()
        assert list(stored) == ["case_manager"]
    # ... but count for nothing.
    before = snapshot(e)
    refusals: list[Callable[[], object]] = [
        lambda: cases.record_incident(
            e, user=cm, data=incident_data(world.customer_id, ON), today=TODAY
        ),
        lambda: cases.review_restriction(
            e,
            user=cm,
            case_id=built.case_id,
            on=ON,
            outcome=p.ReviewOutcome.REMAIN,
            customer_letter=True,
            today=TODAY,
        ),
        lambda: cases.record_contact(
            e, user=cm, customer_id=world.customer_id, on=ON, channel=p.Channel.EMAIL, today=TODAY
        ),
    ]
    for call in refusals:
        with pytest.raises(StepRefused) as info:
            call()
        assert info.value.reasons == (p.Reason.NOT_AUTHORISED,)
    for call in [
        lambda: customers.get_customer(e, user=cm, customer_id=world.customer_id),
        lambda: customers.find_customers(e, user=cm, text="Chris"),
        lambda: customers.create_customer(
            e, user=cm, data=CustomerCreate(tenancy_ref="T-0500", name="Nobody")
        ),
        lambda: cases.screen_contact(
            e, user=cm, customer_id=world.customer_id, channel=p.Channel.PHONE, today=TODAY
        ),
    ]:
        with pytest.raises(NotAuthorised):
            call()
    assert snapshot(e) == before

    # A deactivated admin can no longer manage users either.
    admin2 = world.admin_2
    assert admin2.id is not None
    users.set_active(e, user=world.admin, user_id=admin2.id, active=False)
    before = snapshot(e)
    with pytest.raises(NotAuthorised):
        users.set_roles(e, user=admin2, user_id=admin2.id, roles=["admin"])
    assert snapshot(e) == before

    # Reactivated, the same context works again.
    users.set_active(e, user=world.admin, user_id=cm.id, active=True)
    refusals[1]()


def test_a_person_with_several_roles_gets_the_union(world: World) -> None:
    e = world.engine
    both = make_user(e, world.admin, "mo.multi", p.Role.MANAGER, p.Role.CASE_MANAGER)
    built = build_restricted_case(world)
    cases.review_restriction(
        e,
        user=both,
        case_id=built.case_id,
        on=ON,
        outcome=p.ReviewOutcome.REMAIN,
        customer_letter=True,
        today=TODAY,
    )
    record = customers.get_customer(e, user=both, customer_id=world.customer_id)
    assert record.needs == "Anxiety; prefers email"
    # Recording an appeal comes with case manager; deciding it comes with neither role.
    cases.receive_appeal(
        e, user=both, case_id=built.case_id, received_on=ON, letter_date=RESTRICT_ON, today=TODAY
    )
    before = snapshot(e)
    with pytest.raises(StepRefused) as info:
        cases.decide_appeal(
            e,
            user=both,
            case_id=built.case_id,
            on=ON,
            outcome=p.AppealOutcome.UPHELD,
            reasons="Proportionate.",
            fact_sheet_sent=True,
            today=TODAY,
        )
    assert info.value.reasons == (p.Reason.NOT_AUTHORISED,)
    assert snapshot(e) == before
