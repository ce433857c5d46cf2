"""Widgets shared by the case-work pages: customer picker, warning marker, saving forms."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

import streamlit as st

from ube_core.errors import DomainError, NotFound
from ube_core.queries_case import CaseView, customer_public
from ube_core.services.casework import InvalidFields, clean
from ube_core.services.context import UserContext
from ube_core.services.customers import find_customers
from ube_core.storage.models import CustomerPublic

from . import runtime
from .format import uk_date
from .widgets import show_error

T = TypeVar("T")

CUSTOMER_KEY = "customer_id"
FLASH_KEY = "casework_flash"
SEARCH_LIMIT = 20
CUSTOMER_PAGE = "pages/customer.py"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^\"'@%])")


def md(text: object) -> str:
    """Text typed by people, safe to put inside Markdown: every markup character escaped,
    so it shows literally (no HTML, links, emphasis, colour directives or maths)."""
    value = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return value.replace("\r", "").replace("\n", "  \n")


# -- messages across a save and rerun -----------------------------------------------------
def flash(text: str, *, link: tuple[str, dict[str, str]] | None = None) -> None:
    """A success message shown at the top of the page after the rerun that clears a form."""
    st.session_state[FLASH_KEY] = {"text": text, "link": link}


def show_flash() -> None:
    note = st.session_state.pop(FLASH_KEY, None)
    if not note:
        return
    st.success(note["text"], icon=":material/check_circle:")
    if note.get("link"):
        label, params = note["link"]
        st.page_link(CUSTOMER_PAGE, label=label, icon=":material/folder_open:", query_params=params)


def show_problem(error: DomainError) -> None:
    """Every problem in plain English: each field's message, or the engine's reasons."""
    if isinstance(error, InvalidFields):
        st.error(
            "Please check:\n" + "\n".join(f"- {message}" for message in error.messages),
            icon=":material/error:",
        )
    else:
        show_error(error)


def clear_widgets(prefixes: Iterable[str], *, keep: Iterable[str] = ()) -> None:
    """Forget the values of widgets whose keys start with any of ``prefixes``."""
    wanted, kept = tuple(prefixes), {*keep, CUSTOMER_KEY}
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(wanted)]:
        if key not in kept:
            del st.session_state[key]


def save(
    write: Callable[[], T],
    success: Callable[[T], str] | str,
    *,
    clear: Iterable[str] = (),
    link: tuple[str, dict[str, str]] | None = None,
    on_error: Callable[[DomainError], None] | None = None,
) -> T | None:
    """Run one service write. On a refusal show why and keep what was typed; on success
    clear the cached reads and the form's widgets, and rerun with the message on top."""
    try:
        result = write()
    except DomainError as error:
        show_problem(error)
        if on_error is not None:
            on_error(error)
        return None
    runtime.clear_reads()
    clear_widgets(clear)
    flash(success(result) if callable(success) else success, link=link)
    st.rerun()
    return result  # pragma: no cover - st.rerun does not return


def default(key: str, value: Any) -> None:
    """Give a widget its first value through session state (so a rerun keeps what was typed)."""
    if key not in st.session_state:
        st.session_state[key] = value


def case_link_params(customer_id: int) -> dict[str, str]:
    return {"customer": str(customer_id)}


# -- the customer being worked on -----------------------------------------------------------
def current_customer_id() -> int | None:
    """The customer chosen on any case-work page; ``?customer=ID`` in the address wins."""
    wanted = st.query_params.get("customer")
    if wanted and wanted.isdigit():
        st.session_state[CUSTOMER_KEY] = int(wanted)
    value = st.session_state.get(CUSTOMER_KEY)
    return int(value) if isinstance(value, int) else None


def choose_customer(customer_id: int | None) -> None:
    if customer_id is None:
        st.session_state.pop(CUSTOMER_KEY, None)
        if "customer" in st.query_params:
            del st.query_params["customer"]
        return
    st.session_state[CUSTOMER_KEY] = customer_id
    st.query_params["customer"] = str(customer_id)


def describe(customer: CustomerPublic) -> str:
    parts = [customer.name, customer.tenancy_ref]
    if customer.address:
        parts.append(customer.address)
    return " · ".join(parts)


def _picked(prefix: str) -> None:
    picked = st.session_state.get(f"{prefix}_match")
    if picked is not None:
        choose_customer(int(picked))
        st.session_state[f"{prefix}_search"] = ""


def customer_picker(user: UserContext, prefix: str) -> CustomerPublic | None:
    """One search box over the database (name, tenancy reference or address); the matches
    (at most 20) in a list to choose from. The choice is kept for the other pages."""
    engine = runtime.engine()
    chosen_id = current_customer_id()
    text = st.text_input(
        "Find a customer",
        key=f"{prefix}_search",
        type="search",
        live="300ms",
        placeholder="Name, tenancy reference or address",
        help="Type part of the name, the tenancy reference or the address.",
    )
    if text and text.strip():
        matches = find_customers(engine, user=user, text=text, limit=SEARCH_LIMIT)
        if matches:
            by_id = {m.id: m for m in matches}
            more = " (the first 20: type more to narrow)" if len(matches) >= SEARCH_LIMIT else ""
            st.selectbox(
                f"Matching customers{more}",
                list(by_id),
                index=None,
                format_func=lambda i: describe(by_id[i]),
                placeholder="Choose the customer",
                key=f"{prefix}_match",
                on_change=_picked,
                args=(prefix,),
            )
        else:
            st.caption(f"No customer matches “{md(clean(text))}”.")
    if chosen_id is None:
        return None
    try:
        return customer_public(engine, user=user, customer_id=chosen_id)
    except NotFound:
        choose_customer(None)
        return None


# -- the warning marker ------------------------------------------------------------------
def marker_banner(view: CaseView) -> None:
    """What every colleague must know when this customer gets in touch (§9)."""
    marker, restriction = view.marker, view.restriction
    if marker.restricted:
        stage = f" · stage: {md(marker.stage)}" if marker.stage != "Contact restricted" else ""
        lines = [f"**Contact restricted** until {uk_date(marker.ends)}{stage}"]
        if restriction is not None:
            lines.append("**Restriction:** " + ", ".join(md(t.label) for t in restriction.types))
            if restriction.allowed_channels:
                lines.append(
                    "**Allowed channels:** "
                    + ", ".join(md(c.label) for c in restriction.allowed_channels)
                )
            if restriction.spoc_name:
                lines.append(f"**Single point of contact:** {md(restriction.spoc_name)}")
        lines.append(f"**If the customer gets in touch:** {md(view.advice)}")
        st.error("\n\n".join(lines), icon=":material/block:")
    elif marker.stage == "No incidents":
        st.info("No warning marker: no incidents are recorded for this customer.")
    else:
        ended = ""
        if restriction is not None and not restriction.active:
            ended = (
                f" The last restriction ended {uk_date(restriction.ended_on or restriction.end)}."
            )
        st.warning(
            f"**Warning marker** · stage: {md(marker.stage)}.{ended}  \n"
            f"**If the customer gets in touch:** {md(view.advice)}",
            icon=":material/warning:",
        )


def due_list(view: CaseView) -> None:
    if not view.due:
        return
    items = []
    for item in view.due:
        when = uk_date(item.on)
        if item.overdue_days:
            days = "day" if item.overdue_days == 1 else "days"
            items.append(
                f"- :red[**Overdue by {item.overdue_days} {days}**] — {md(item.what)}, due {when}"
            )
        elif item.passed:
            items.append(f"- {md(item.what)}: {when} (passed)")
        else:
            items.append(f"- {md(item.what)}: {when}")
    st.markdown("**Dates**\n" + "\n".join(items))


def days_phrase(days_left: int) -> str:
    """'Overdue by 3 days', 'Due today', '5 days left' (text, never colour alone)."""
    if days_left < 0:
        n = -days_left
        return f"Overdue by {n} day{'s' if n != 1 else ''}"
    if days_left == 0:
        return "Due today"
    return f"{days_left} day{'s' if days_left != 1 else ''} left"


def date_field(label: str, key: str, today: date, value: date | None = None) -> date | None:
    """A UK-format date, never after ``today``; defaults to ``value`` or today."""
    default(key, value or today)
    result: date | None = st.date_input(label, max_value=today, format="DD/MM/YYYY", key=key)
    return result
