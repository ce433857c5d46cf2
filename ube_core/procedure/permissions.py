"""Who may take which step (DESIGN.md rule 11)."""

from __future__ import annotations

from collections.abc import Iterable

from .vocabulary import Action, Role

OFFICER_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.INCIDENT,
        Action.CONTACT,
        Action.SUPPORT,
        Action.INITIAL_WARNING,
        Action.CIRCUMSTANCES_CHANGE,
        Action.APPEAL,
        Action.RECONSIDERATION,
    }
)
DECISIONS: frozenset[Action] = frozenset({Action.APPEAL_DECISION, Action.RECONSIDERATION_DECISION})

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OFFICER: OFFICER_ACTIONS,
    Role.CASE_MANAGER: frozenset(Action) - DECISIONS,
    Role.LINE_MANAGER: OFFICER_ACTIONS | {Action.SPOC_REVIEW},
    Role.SENIOR_OFFICER: frozenset(Action),
    Role.MANAGER: frozenset(),
    Role.ADMIN: frozenset(),
}


def may(roles: Iterable[Role], action: Action) -> bool:
    """Whether a person holding ``roles`` may take ``action``."""
    return any(action in PERMISSIONS[role] for role in roles)


def allowed_actions(roles: Iterable[Role]) -> frozenset[Action]:
    held = list(roles)
    return frozenset(a for a in Action if may(held, a))
