"""Users and roles (admins only): password rules, the one-time first admin, no self-demotion,
deactivate rather than delete — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine

from ube_core import procedure as p
from ube_core.errors import InvalidInput, NotAuthorised, StepRefused
from ube_core.services import cases, customers, users
from ube_core.storage.models import AppUser, CaseEvent, UserCreate, UserRole

from .conftest import PASSWORD, TODAY, World, audit_events, ctx, incident_data, one, rows, snapshot


def _new(world: World, password: str = PASSWORD, **kw: object) -> UserCreate:
    data = {"username": "new.person", "name": "New Person", "password": password} | kw
    return UserCreate.model_construct(**data)  # as a form hands it over, unvalidated


def _invalid(engine: Engine, field: str, call: Callable[[], object]) -> InvalidInput:
    before = snapshot(engine)
    with pytest.raises(InvalidInput) as info:
        call()
    assert info.value.field == field, (info.value.field, info.value.message)
    assert snapshot(engine) == before
    return info.value


@pytest.mark.parametrize(
    "password",
    [
        "",
        "short",
        "elevenchars",  # 11: one short of the minimum of 12
        "password1234",  # common
        "PASSWORD1234",  # common, whatever the case
        "qwerty123456",
        "aaaaaaaaaaaaaaaaaaaa",  # long but fewer than four different characters
        "abababababab",
    ],
)
def test_weak_passwords_are_refused(world: World, password: str) -> None:
    e = world.engine
    error = _invalid(
        e, "password", lambda: users.create_user(e, user=world.admin, data=_new(world, password))
    )
    assert error.message
    assert world.officer.id is not None
    _invalid(
        e,
        "password",
        lambda: users.reset_password(
            e, user=world.admin, user_id=world.officer.id or 0, password=password
        ),
    )


def test_a_twelve_character_password_is_enough_and_is_stored_hashed(world: World) -> None:
    e = world.engine
    created = users.create_user(
        e, user=world.admin, data=_new(world, "twelve chars", roles=["officer"])
    )
    row = one(e, AppUser, id=created.id)
    assert row.password_hash != "twelve chars"
    assert users.verify_password("twelve chars", row.password_hash)
    assert not users.verify_password("twelve chars!", row.password_hash)
    assert created.roles == ["officer"]
    audit = audit_events(e)[-1]
    assert (audit.action, audit.entity_id, audit.user_id) == (
        "user.create",
        created.id,
        world.admin.id,
    )
    assert "twelve chars" not in audit.detail


def test_the_first_admin_is_created_once_only(engine: Engine) -> None:
    assert users.user_count(engine) == 0
    first = users.create_first_admin(
        engine, data=UserCreate(username="Ada.Admin", name="Ada", password=PASSWORD)
    )
    assert first.username == "ada.admin"  # stored lowercased
    assert first.roles == ["admin"]  # admin even though none was asked for
    assert users.user_count(engine) == 1
    assert [a.action for a in audit_events(engine)] == ["user.first_admin"]

    before = snapshot(engine)
    with pytest.raises(InvalidInput):
        users.create_first_admin(
            engine, data=UserCreate(username="eve", name="Eve", password=PASSWORD)
        )
    assert snapshot(engine) == before
    assert users.user_count(engine) == 1

    # With a first admin in place, new accounts go through an admin.
    admin = ctx(first)
    users.create_user(
        engine, user=admin, data=UserCreate(username="bo", name="Bo", password=PASSWORD)
    )
    assert users.user_count(engine) == 2


def test_first_admin_password_rules_apply_too(engine: Engine) -> None:
    _invalid(
        engine,
        "password",
        lambda: users.create_first_admin(
            engine, data=UserCreate.model_construct(username="ada", name="Ada", password="short")
        ),
    )
    _invalid(
        engine,
        "password",
        lambda: users.create_first_admin(
            engine, data=UserCreate(username="ada", name="Ada", password="Password1234")
        ),
    )
    assert users.user_count(engine) == 0


def test_user_input_is_validated(world: World) -> None:
    e = world.engine

    def create(**kw: object) -> Callable[[], object]:
        return lambda: users.create_user(e, user=world.admin, data=_new(world, **kw))

    _invalid(e, "username", create(username="OLU.OFFICER"))  # taken, whatever the case
    _invalid(e, "username", create(username="has space"))
    _invalid(e, "username", create(username="x"))
    _invalid(e, "name", create(name=""))
    _invalid(e, "roles", create(roles=["superuser"]))
    assert world.officer.id is not None
    _invalid(
        e,
        "roles",
        lambda: users.set_roles(e, user=world.admin, user_id=world.officer.id or 0, roles=["god"]),
    )


def test_an_admin_cannot_remove_their_own_admin_role(world: World) -> None:
    e = world.engine
    admin = world.admin
    assert admin.id is not None
    _invalid(
        e,
        "roles",
        lambda: users.set_roles(e, user=admin, user_id=admin.id or 0, roles=["manager"]),
    )
    _invalid(e, "roles", lambda: users.set_roles(e, user=admin, user_id=admin.id or 0, roles=[]))
    # Adding a role while keeping admin is fine.
    users.set_roles(e, user=admin, user_id=admin.id, roles=["admin", "manager"])
    assert sorted(r.role for r in rows(e, UserRole, user_id=admin.id)) == ["admin", "manager"]
    change = audit_events(e)[-1]
    assert change.action == "user.roles"
    assert '"before": ["admin"]' in change.detail and '"manager"' in change.detail
    # Another admin may take it away.
    users.set_roles(e, user=world.admin_2, user_id=admin.id, roles=["manager"])
    with pytest.raises(NotAuthorised):
        users.list_users(e, user=admin)


def test_deactivate_is_not_delete(world: World) -> None:
    e = world.engine
    officer = world.officer
    assert officer.id is not None
    case_id = cases.record_incident(
        e, user=officer, data=incident_data(world.customer_id, TODAY), today=TODAY
    ).case_id
    users_before = len(rows(e, AppUser))

    users.set_active(e, user=world.admin, user_id=officer.id, active=False)
    row = one(e, AppUser, id=officer.id)
    assert row.active is False
    assert len(rows(e, AppUser)) == users_before
    assert [r.role for r in rows(e, UserRole, user_id=officer.id)] == ["officer"]
    assert audit_events(e)[-1].action == "user.deactivate"
    listed = {u.username: u for u in users.list_users(e, user=world.admin)}
    assert listed["olu.officer"].active is False
    # Their history keeps their name.
    event = one(e, CaseEvent, case_id=case_id)
    assert (event.by_user_id, event.by_name) == (officer.id, "Olu Officer")

    # While deactivated they can do nothing.
    before = snapshot(e)
    with pytest.raises(StepRefused) as info:
        cases.record_incident(
            e, user=officer, data=incident_data(world.customer_id, TODAY), today=TODAY
        )
    assert info.value.reasons == (p.Reason.NOT_AUTHORISED,)
    with pytest.raises(NotAuthorised):
        customers.get_customer(e, user=officer, customer_id=world.customer_id)
    assert snapshot(e) == before

    # Reactivated, the same account works again.
    users.set_active(e, user=world.admin, user_id=officer.id, active=True)
    assert audit_events(e)[-1].action == "user.activate"
    cases.record_incident(
        e, user=officer, data=incident_data(world.customer_id, TODAY), today=TODAY
    )


def test_an_admin_cannot_deactivate_themselves(world: World) -> None:
    e = world.engine
    _invalid(
        e,
        "active",
        lambda: users.set_active(e, user=world.admin, user_id=world.admin.id or 0, active=False),
    )


def test_anyone_may_reset_their_own_password_but_no_one_elses(world: World) -> None:
    e = world.engine
    officer = world.officer
    assert officer.id is not None and world.spoc.id is not None
    users.reset_password(e, user=officer, user_id=officer.id, password="my own new passphrase")
    assert users.verify_password(
        "my own new passphrase", one(e, AppUser, id=officer.id).password_hash
    )
    assert audit_events(e)[-1].action == "user.password_reset"
    before = snapshot(e)
    with pytest.raises(NotAuthorised):
        users.reset_password(e, user=officer, user_id=world.spoc.id, password="taking over spoc")
    assert snapshot(e) == before


def test_a_huge_customer_search_is_cut_not_crashed(world: World) -> None:
    found = customers.find_customers(world.engine, user=world.officer, text="x" * 100_000)
    assert found == []


def test_a_whole_tenancy_reference_finds_just_that_customer(world: World) -> None:
    from ube_core.storage.models import CustomerCreate

    e, cm = world.engine, world.case_manager
    one_ref = customers.create_customer(
        e, user=cm, data=CustomerCreate(tenancy_ref="ab-77", name="Ann Bright")
    )
    customers.create_customer(
        e, user=cm, data=CustomerCreate(tenancy_ref="AB-770", name="Alex Brown")
    )
    customers.create_customer(
        e, user=cm, data=CustomerCreate(tenancy_ref="ZZ-1", name="Flat AB-77 tenant")
    )
    assert [c.id for c in customers.find_customers(e, user=world.officer, text=" ab-77 ")] == [
        one_ref.id
    ]
    # A partial reference is still a type-ahead over references, names and addresses.
    partial = customers.find_customers(e, user=world.officer, text="ab-7")
    assert {c.tenancy_ref for c in partial} == {"AB-77", "AB-770", "ZZ-1"}


def test_a_sign_out_revokes_the_cookies_issued_before_it(world: World) -> None:
    from datetime import UTC, datetime, timedelta

    from ube_core.services import auth

    e, officer = world.engine, world.officer
    issued = datetime.now(UTC) - timedelta(minutes=5)
    assert not auth.signed_out_since(e, username=officer.username, since=issued)
    auth.record_logout(e, user=officer, reason="signed out")
    assert auth.signed_out_since(e, username=officer.username, since=issued)
    # A cookie issued after the sign-out (the next sign-in) is honoured again.
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert not auth.signed_out_since(e, username=officer.username, since=later)
    # Someone else's sign-out, or an unknown name, revokes nothing.
    assert not auth.signed_out_since(e, username=world.case_manager.username, since=issued)
    assert not auth.signed_out_since(e, username="nobody.here", since=issued)
