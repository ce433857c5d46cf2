"""Which pages each role sees. A page not listed for a role is not routed for it."""

from __future__ import annotations

from dataclasses import dataclass

from ube_core.procedure import Role

ALL_SIGNED_IN = frozenset(Role)


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    roles: frozenset[Role]
    section: str


CASE_ROLES = frozenset({Role.OFFICER, Role.CASE_MANAGER, Role.LINE_MANAGER, Role.SENIOR_OFFICER})
READERS = CASE_ROLES | {Role.MANAGER}
ADMIN = frozenset({Role.ADMIN})

PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "My work", ":material/home:", ALL_SIGNED_IN, "Work"),
    PageSpec("pages/incident.py", "Log an incident", ":material/edit_note:", CASE_ROLES, "Work"),
    PageSpec("pages/screening.py", "Contact screening", ":material/call:", CASE_ROLES, "Work"),
    PageSpec("pages/customer.py", "Customer & case", ":material/person:", READERS, "Work"),
    PageSpec(
        "pages/decisions.py",
        "Appeals queue",
        ":material/gavel:",
        frozenset({Role.SENIOR_OFFICER}),
        "Work",
    ),
    PageSpec("pages/register.py", "Restriction register", ":material/block:", READERS, "Oversight"),
    PageSpec("pages/calendar.py", "Review calendar", ":material/event:", READERS, "Oversight"),
    PageSpec(
        "pages/spoc_oversight.py",
        "SPOC oversight",
        ":material/fact_check:",
        frozenset({Role.LINE_MANAGER, Role.CASE_MANAGER, Role.SENIOR_OFFICER}),
        "Oversight",
    ),
    PageSpec(
        "pages/dashboard.py",
        "Dashboard",
        ":material/monitoring:",
        frozenset({Role.MANAGER, Role.SENIOR_OFFICER, Role.CASE_MANAGER, Role.LINE_MANAGER}),
        "Oversight",
    ),
    PageSpec("pages/users.py", "Users", ":material/group:", ADMIN, "Admin"),
    PageSpec("pages/audit.py", "Audit log", ":material/policy:", ADMIN, "Admin"),
    PageSpec("pages/letter_templates.py", "Letter templates", ":material/mail:", ADMIN, "Admin"),
)


def pages_for(roles: frozenset[Role]) -> list[PageSpec]:
    return [page for page in PAGES if page.roles & roles]
