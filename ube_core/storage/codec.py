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


_SCALARS = frozenset({str, int, float, bool, type(None)})
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # as json.dumps(..., these)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:  # exact types: enums (str subclasses) and dates go below
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset | set):
        return [_plain(v) for v in value]
    return value


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def to_payload(event: p.Event) -> str:
    """The event as JSON, keys sorted (field names cached per class: the demo loader calls
    this a few million times)."""
    data = {name: _plain(getattr(event, name)) for name in _field_names(type(event))}
    data["type"] = type(event).__name__
    return _ENCODER.encode(data)


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


# Each event class's resolved field types. Resolving compiles every annotation string, so
# it is done once here rather than for every event read back (a case's whole history is read
# for every step recorded on it).
EVENT_HINTS: dict[str, dict[str, Any]] = {
    name: typing.get_type_hints(cls, vars(p.events)) for name, cls in EVENT_CLASSES.items()
}


def from_payload(payload: str) -> p.Event:
    data = json.loads(payload)
    kind = data.pop("type")
    cls = EVENT_CLASSES[kind]
    hints = EVENT_HINTS[kind]
    kwargs = {name: _typed(hints[name], value) for name, value in data.items()}
    return typing.cast(p.Event, cls(**kwargs))
