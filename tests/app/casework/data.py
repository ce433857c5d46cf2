"""Cases in known states for the case-work page tests, built through the services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from ube_core import procedure as p
from ube_core.services import cases, customers
from ube_core.services.context import UserContext
from ube_core.storage.db import make_engine
from ube_core.storage.models import CustomerCreate, IncidentCreate
from ube_ui import runtime

Staff = dict[str, UserContext]
PASSWORD = "correct horse battery"


@contextmanager
def db(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def count(url: str, model: type[SQLModel], **where: Any) -> int:
    with db(url) as engine, Session(engine) as session:
        stmt = select(func.count()).select_from(model)
        for field, value in where.items():
            stmt = stmt.where(getattr(model, field) == value)
        return int(session.exec(stmt).one())


def rows(url: str, model: type[SQLModel]) -> list[Any]:
    with db(url) as engine, Session(engine) as session:
        return list(session.exec(select(model)).all())


def today() -> Any:
    return runtime.today()


def customer(
    url: str, staff: Staff, name: str = "Terry Tenant", ref: str = "T0001", needs: str = ""
) -> int:
    with db(url) as engine:
        made = customers.create_customer(
            engine,
            user=staff["officer"],
            data=CustomerCreate(
                tenancy_ref=ref, name=name, address="1 High Street, Anytown", needs=needs
            ),
        )
    return made.id


def incident(
    engine: Engine, staff: Staff, customer_id: int, days_ago: int, severity: str = "moderate"
) -> None:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    cases.record_incident(
        engine,
        user=staff["officer"],
        data=IncidentCreate(
            customer_id=customer_id,
            occurred_at=when,
            channel="phone",
            category="aggressive_abusive",
            behaviour="swearing_shouting",
            severity=severity,
            narrative="Shouted and swore at the officer.",
        ),
        today=today(),
    )


def case_id(url: str, customer_id: int) -> int:
    from ube_core.storage.models import Case

    with db(url) as engine, Session(engine) as session:
        found = session.exec(select(Case.id).where(Case.customer_id == customer_id)).first()
    assert found is not None
    return found


def warned_case(url: str, staff: Staff, customer_id: int, *, eia: bool = True) -> int:
    """Incident, initial warning, EIA, formal warning and a later incident: ready to restrict."""
    t = today()
    with db(url) as engine:
        incident(engine, staff, customer_id, 80)
        cid = case_id(url, customer_id)
        cases.record_informal_step(
            engine,
            user=staff["officer"],
            case_id=cid,
            kind=p.InformalKind.INITIAL_WARNING,
            on=t - timedelta(days=75),
            today=t,
        )
        if eia:
            cases.record_eia(
                engine,
                user=staff["case_manager"],
                case_id=cid,
                on=t - timedelta(days=70),
                proportionate=True,
                needs_considered="None known",
                today=t,
            )
            cases.give_formal_warning(
                engine,
                user=staff["case_manager"],
                case_id=cid,
                on=t - timedelta(days=65),
                behaviour="Swearing",
                today=t,
            )
            incident(engine, staff, customer_id, 60)
    return cid


def restricted_case(
    url: str, staff: Staff, customer_id: int, *, by: str = "case_manager", days_ago: int = 30
) -> int:
    """A case with an active SPOC + written-only restriction made ``days_ago`` by ``by``."""
    cid = warned_case(url, staff, customer_id)
    t = today()
    with db(url) as engine:
        cases.restrict_contact(
            engine,
            user=staff[by],
            case_id=cid,
            on=t - timedelta(days=days_ago),
            types=(p.RestrictionType.SPOC, p.RestrictionType.WRITTEN_ONLY),
            months=6,
            reasons="Abuse continued after the formal warning.",
            spoc_user_id=staff["case_manager"].id,
            today=t,
        )
    return cid


def appealed_case(
    url: str, staff: Staff, customer_id: int, *, by: str = "case_manager", days_ago: int = 30
) -> int:
    cid = restricted_case(url, staff, customer_id, by=by, days_ago=days_ago)
    t = today()
    with db(url) as engine:
        cases.receive_appeal(
            engine,
            user=staff["officer"],
            case_id=cid,
            received_on=t - timedelta(days=days_ago - 5),
            letter_date=t - timedelta(days=days_ago),
            today=t,
        )
    return cid


# -- reading what a page shows -------------------------------------------------------------
TEXT_ELEMENTS = ("markdown", "caption", "error", "warning", "info", "success")


def shown(at: Any) -> list[str]:
    """Every piece of Markdown text the page drew (messages, captions, banners)."""
    return [str(el.value) for kind in TEXT_ELEMENTS for el in getattr(at, kind)]


def errors(at: Any) -> str:
    return "\n".join(str(e.value) for e in at.error)


def submit(at: Any, form: str, label: str) -> Any:
    return at.button(key=f"FormSubmitter:{form}-{label}").click().run()


def open_page(app: Any, username: str, page: str, customer_id: int | None = None) -> Any:
    """``page`` as ``username`` sees it, already signed in (the sign-in form itself is tested
    in ``tests/app/test_access.py``): the session holds what a successful sign-in leaves."""
    at = app()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = username
    at.session_state["ube_signed_in_as"] = username
    at.session_state["ube_last_seen"] = runtime.now()
    if customer_id is not None:
        at.session_state["customer_id"] = customer_id
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.session_state["authentication_status"] is True
    return at
