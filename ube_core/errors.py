"""Domain errors the services raise; pages show their messages in plain English."""

from __future__ import annotations

from .procedure import Action, Reason


class DomainError(Exception):
    """Something the user asked for cannot be done; ``messages`` say why."""

    @property
    def messages(self) -> list[str]:
        return [str(self)]


class NotFound(DomainError):
    pass


class NotAuthorised(DomainError):
    """The acting user's roles do not allow this (DESIGN.md rule 11 and the read rules)."""

    reasons = (Reason.NOT_AUTHORISED,)

    def __init__(self, what: str = "this") -> None:
        super().__init__(f"Your role does not allow {what}.")


class StepRefused(DomainError):
    """The procedure does not allow the step; carries every reason code."""

    def __init__(self, action: Action, reasons: tuple[Reason, ...]) -> None:
        self.action = action
        self.reasons = reasons
        super().__init__(f"{action.label} is not allowed: " + ", ".join(reasons))

    @property
    def messages(self) -> list[str]:
        return [reason.explanation for reason in self.reasons]


class InvalidInput(DomainError):
    """Input that fails validation at the service boundary; names the field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


class ConcurrentChange(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "This case was changed by someone else since you opened it. "
            "Reload it to see their change, then try again."
        )
