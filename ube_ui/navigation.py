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


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "My work", ":material/home:", ALL_SIGNED_IN, "Work"),
    PageSpec("pages/users.py", "Users", ":material/group:", frozenset({Role.ADMIN}), "Admin"),
    PageSpec("pages/audit.py", "Audit log", ":material/policy:", frozenset({Role.ADMIN}), "Admin"),
)


def pages_for(roles: frozenset[Role]) -> list[PageSpec]:
    return [page for page in PAGES if page.roles & roles]
