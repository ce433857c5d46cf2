"""Engine events to and from the JSON payload of a ``case_event`` row."""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import date
from enum import Enum
from typing import Any

from ube_core import procedure as p

EVENT_CLASSES: dict[str, type[p.Step]] = {
    cls.__name__: cls
    for cls in (
        p.Incident,
        p.InformalStep,
        p.Eia,
        p.CircumstancesChange,
        p.FormalWarning,
        p.Restrict,
        p.Contact,
        p.BreachWarning,
        p.LegalAdvice,
        p.LegalStep,
        p.Review,
        p.Appeal,
        p.AppealDecision,
        p.Reconsideration,
        p.ReconsiderationDecision,
        p.SpocHandover,
        p.SpocReview,
    )
}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset | set):
        return [_plain(v) for v in value]
    return value


def to_payload(event: p.Event) -> str:
    data = {f.name: _plain(getattr(event, f.name)) for f in dataclasses.fields(event)}
    data["type"] = type(event).__name__
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _typed(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if origin is tuple:
        return tuple(_typed(args[0], v) for v in value)
    if args and origin is not None:  # Optional[X] / X | None
        return _typed(args[0], value)
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    return value


def from_payload(payload: str) -> p.Event:
    data = json.loads(payload)
    cls = EVENT_CLASSES[data.pop("type")]
    hints = typing.get_type_hints(cls, vars(p.events))
    kwargs = {name: _typed(hints[name], value) for name, value in data.items()}
    return typing.cast(p.Event, cls(**kwargs))
