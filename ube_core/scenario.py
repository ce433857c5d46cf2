"""Run procedure scenario files through the rules engine (the contract in SCENARIOS.md).

    python -m ube_core.scenario run FILE_OR_DIR [FILE_OR_DIR ...]

Exit 0 when every expectation held, 1 when one did not, 2 when a file is invalid (that file's
later steps are not run). No database and no user interface: YAML in, engine, report out.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO, TypeVar

import yaml

from ube_core.procedure import (
    LEGAL_ACTIONS,
    Action,
    Actor,
    Appeal,
    AppealDecision,
    AppealOutcome,
    BreachWarning,
    Case,
    Category,
    Channel,
    CircumstancesChange,
    Contact,
    Due,
    Eia,
    Event,
    FormalWarning,
    Incident,
    InformalKind,
    InformalStep,
    LegalAdvice,
    LegalStep,
    Reason,
    Reconsideration,
    ReconsiderationDecision,
    ReconsiderationOutcome,
    Restrict,
    RestrictionType,
    Review,
    ReviewOutcome,
    Role,
    Screen,
    Severity,
    SpocHandover,
    SpocReview,
)
from ube_core.procedure.vocabulary import Behaviour, Labelled

OK, FAILED, INVALID = 0, 1, 2
TOP_KEYS = {"title", "people", "customer", "steps"}
CUSTOMER_KEYS = {"name", "needs", "adjustments", "language", "representative"}
STEP_KEYS = {"date", "do", "by", "expect", "reason", "due", "note"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

E = TypeVar("E", bound=Labelled)


class Invalid(Exception):
    """A scenario file that does not follow the format; the message names step and field."""


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so a bad date is reported, not a crash."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_date(value: object, where: str) -> date:
    text = str(value).strip() if value is not None else ""
    if not ISO_DATE.fullmatch(text):
        raise Invalid(f"{where}: {value!r} is not a date (use YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{where}: {value!r} is not a real date") from None


@dataclass
class Fields:
    """The fields of one step, consumed as they are read; leftovers are unknown keys."""

    raw: dict[str, Any]
    where: str
    used: set[str] = field(default_factory=set)

    def has(self, key: str) -> bool:
        return key in self.raw

    def get(self, key: str) -> Any:
        self.used.add(key)
        return self.raw.get(key)

    def required(self, key: str) -> Any:
        self.used.add(key)
        if self.raw.get(key) is None:
            raise Invalid(f"{self.where}: missing field '{key}'")
        return self.raw[key]

    def enum(self, key: str, kind: type[E], *, required: bool = True) -> E | None:
        value = self.required(key) if required else self.get(key)
        if value is None:
            return None
        try:
            return kind(str(value))
        except ValueError:
            choices = ", ".join(m.value for m in kind)
            raise Invalid(
                f"{self.where}: field '{key}': {value!r} is not one of {choices}"
            ) from None

    def enum_list(self, key: str, kind: type[E]) -> tuple[E, ...]:
        value = self.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            try:
                out.append(kind(str(item)))
            except ValueError:
                choices = ", ".join(m.value for m in kind)
                raise Invalid(
                    f"{self.where}: field '{key}': {item!r} is not one of {choices}"
                ) from None
        return tuple(out)

    def boolean(self, key: str, *, required: bool = False) -> bool:
        value = self.required(key) if required else self.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise Invalid(f"{self.where}: field '{key}': {value!r} is not true or false")
        return value

    def text(self, key: str) -> str | None:
        value = self.get(key)
        if value is None:
            return "" if self.has(key) else None
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        return str(value)

    def unknown(self) -> list[str]:
        return sorted(set(self.raw) - self.used - STEP_KEYS)


def _months(f: Fields) -> int | None:
    value = f.get("months")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{f.where}: field 'months': {value!r} is not a whole number")
    return value


def _by(f: Fields) -> str | None:
    value = f.get("by")
    return None if value is None else str(value)


def build_step(action: Action, day: date, f: Fields) -> Event:
    """The engine's event for one scenario step, its fields checked."""
    by = _by(f)
    if action is Action.INCIDENT:
        return Incident(
            date=day,
            by=by,
            category=_req(f.enum("category", Category)),
            severity=_req(f.enum("severity", Severity)),
            channel=f.enum("channel", Channel, required=False),
            behaviour=f.enum("behaviour", Behaviour, required=False),
        )
    if action in (Action.SUPPORT, Action.INITIAL_WARNING):
        return InformalStep(date=day, by=by, kind=InformalKind(action.value))
    if action is Action.EIA:
        return Eia(date=day, by=by, proportionate=f.boolean("proportionate", required=True))
    if action is Action.CIRCUMSTANCES_CHANGE:
        return CircumstancesChange(date=day, by=by, note=f.text("note") or "")
    if action is Action.FORMAL_WARNING:
        return FormalWarning(date=day, by=by, override_reason=f.text("override_reason"))
    if action is Action.RESTRICT:
        return Restrict(
            date=day,
            by=by,
            types=f.enum_list("types", RestrictionType),
            months=_months(f),
            reasons=f.text("reasons") or "",
            allowed_channels=f.enum_list("allowed_channels", Channel),
            spoc=f.text("spoc"),
            override_reason=f.text("override_reason"),
        )
    if action is Action.CONTACT:
        f.get("screen")
        return Contact(
            date=day,
            by=by,
            channel=_req(f.enum("channel", Channel)),
            topic=f.text("topic"),
            via_spoc=f.boolean("via_spoc"),
        )
    if action is Action.BREACH_WARNING:
        return BreachWarning(date=day, by=by)
    if action is Action.LEGAL_ADVICE:
        return LegalAdvice(date=day, by=by)
    if action in LEGAL_ACTIONS:
        return LegalStep(date=day, by=by, kind=LEGAL_ACTIONS[action])
    if action is Action.REVIEW:
        return Review(
            date=day,
            by=by,
            outcome=_req(f.enum("outcome", ReviewOutcome)),
            customer_letter=f.boolean("customer_letter"),
        )
    if action is Action.APPEAL:
        letter = f.get("letter_date")
        return Appeal(
            date=day,
            by=by,
            letter_date=None if letter is None else parse_date(letter, f"{f.where}: letter_date"),
        )
    if action is Action.APPEAL_DECISION:
        return AppealDecision(date=day, by=by, outcome=_req(f.enum("outcome", AppealOutcome)))
    if action is Action.RECONSIDERATION:
        return Reconsideration(date=day, by=by)
    if action is Action.RECONSIDERATION_DECISION:
        return ReconsiderationDecision(
            date=day, by=by, outcome=_req(f.enum("outcome", ReconsiderationOutcome))
        )
    if action is Action.SPOC_HANDOVER:
        return SpocHandover(
            date=day,
            by=by,
            to=str(f.required("to")),
            customer_informed=f.boolean("customer_informed"),
            temporary=f.boolean("temporary"),
        )
    assert action is Action.SPOC_REVIEW
    recs = f.get("recommendations")
    if recs is not None and not isinstance(recs, list):
        recs = [recs]
    return SpocReview(date=day, by=by, recommendations=tuple(str(r) for r in recs or ()))


T = TypeVar("T")


def _req(value: T | None) -> T:
    assert value is not None
    return value


def _people(raw: object, where: str) -> dict[str, frozenset[Role]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise Invalid(f"{where}: 'people' must map each name to a role or a list of roles")
    people = {}
    for name, roles in raw.items():
        items = roles if isinstance(roles, list) else [roles]
        try:
            people[str(name)] = frozenset(Role(str(r)) for r in items)
        except ValueError:
            choices = ", ".join(r.value for r in Role)
            raise Invalid(f"{where}: people: {name}: {roles!r} is not a role ({choices})") from None
    return people


@dataclass
class Expectation:
    blocked: bool = False
    reasons: tuple[Reason, ...] = ()
    screen: Screen | None = None
    due: dict[Due, date | None] = field(default_factory=dict)


def _expectation(f: Fields, action: Action) -> Expectation:
    raw = f.raw
    expect = raw.get("expect", "ok")
    if expect not in ("ok", "blocked"):
        raise Invalid(f"{f.where}: field 'expect': {expect!r} is not ok or blocked")
    blocked = expect == "blocked"
    reasons: tuple[Reason, ...] = ()
    if raw.get("reason") is not None:
        if not blocked:
            raise Invalid(f"{f.where}: field 'reason' is only allowed with 'expect: blocked'")
        items = raw["reason"] if isinstance(raw["reason"], list) else [raw["reason"]]
        try:
            reasons = tuple(Reason(str(r)) for r in items)
        except ValueError:
            raise Invalid(
                f"{f.where}: field 'reason': {raw['reason']!r} is not a reason code"
            ) from None
    screen = None
    if raw.get("screen") is not None:
        if action is not Action.CONTACT:
            raise Invalid(f"{f.where}: field 'screen' is only for 'contact' steps")
        try:
            screen = Screen(str(raw["screen"]))
        except ValueError:
            raise Invalid(
                f"{f.where}: field 'screen': {raw['screen']!r} is not allowed, exclusion or breach"
            ) from None
    due: dict[Due, date | None] = {}
    raw_due = raw.get("due")
    if raw_due is not None:
        if not isinstance(raw_due, dict):
            raise Invalid(f"{f.where}: field 'due' must map due keys to dates")
        for key, value in raw_due.items():
            try:
                due_key = Due(str(key))
            except ValueError:
                keys = ", ".join(d.value for d in Due)
                raise Invalid(f"{f.where}: due: unknown key {key!r} (one of {keys})") from None
            due[due_key] = None if value is None else parse_date(value, f"{f.where}: due.{key}")
    return Expectation(blocked, reasons, screen, due)


def _fmt(day: date | None) -> str:
    return "null" if day is None else day.isoformat()


@dataclass
class FileResult:
    path: Path
    failures: list[str] = field(default_factory=list)
    invalid: str | None = None

    @property
    def status(self) -> int:
        return INVALID if self.invalid else FAILED if self.failures else OK


def run_file(path: Path, out: TextIO) -> FileResult:
    result = FileResult(path)
    try:
        _run(path, out, result)
    except Invalid as error:
        result.invalid = str(error)
        print(f"  INVALID {path}: {error}", file=out)
    return result


def _run(path: Path, out: TextIO, result: FileResult) -> None:
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise Invalid(f"not valid YAML: {first}") from None
    if not isinstance(doc, dict):
        raise Invalid("the file must be a mapping with 'title' and 'steps'")
    extra = sorted(set(doc) - TOP_KEYS)
    if extra:
        raise Invalid(f"unknown key {extra[0]!r} (the format knows {', '.join(sorted(TOP_KEYS))})")
    customer = doc.get("customer")
    if customer is not None:
        if not isinstance(customer, dict):
            raise Invalid("'customer' must be a mapping")
        extra = sorted(set(customer) - CUSTOMER_KEYS)
        if extra:
            raise Invalid(f"customer: unknown key {extra[0]!r}")
    people = _people(doc.get("people"), "people")
    steps = doc.get("steps")
    if not isinstance(steps, list) or not steps:
        raise Invalid("missing field 'steps' (a list of dated steps)")
    print(f"{path}: {doc.get('title', '')}", file=out)
    case = Case()
    previous: date | None = None
    for number, raw in enumerate(steps, start=1):
        where = f"step {number}"
        if not isinstance(raw, dict):
            raise Invalid(f"{where}: a step must be a mapping with 'date' and 'do'")
        day = parse_date(raw.get("date"), f"{where}: field 'date'")
        if previous is not None and day < previous:
            raise Invalid(f"{where}: field 'date': {day} is before the previous step's {previous}")
        previous = day
        if raw.get("do") is None:
            raise Invalid(f"{where}: missing field 'do'")
        try:
            action = Action(str(raw["do"]))
        except ValueError:
            raise Invalid(f"{where}: field 'do': unknown action {raw['do']!r}") from None
        f = Fields(raw, f"{where} ({action.value})")
        step = build_step(action, day, f)
        expectation = _expectation(f, action)
        unknown = f.unknown()
        if unknown:
            raise Invalid(f"{f.where}: unknown key {unknown[0]!r}")
        actor = Actor(step.by, people.get(step.by) if step.by is not None else None)
        decision = case.decide(step, actor)
        if decision.allowed:
            case.record(step, actor)
        outcome = "ok" if decision.allowed else "blocked: " + ", ".join(decision.reasons)
        if decision.screen is not None:
            outcome += f" -> {decision.screen.value}"
        print(f"  {number:>3}  {day}  {action.value:<26} {outcome}", file=out)
        for problem in _compare(expectation, decision.allowed, decision.reasons, decision.screen):
            _fail(result, out, number, problem)
        due = case.due(day)
        for key, expected in expectation.due.items():
            if due[key] != expected:
                problem = f"due {key}: expected {_fmt(expected)}, got {_fmt(due[key])}"
                _fail(result, out, number, problem)


def _compare(
    expectation: Expectation,
    allowed: bool,
    reasons: tuple[Reason, ...],
    screen: Screen | None,
) -> Iterator[str]:
    if expectation.blocked and allowed:
        yield "expected blocked, got ok"
    elif not expectation.blocked and not allowed:
        yield f"expected ok, got blocked ({', '.join(reasons)})"
    for reason in expectation.reasons:
        if not allowed and reason not in reasons:
            yield f"expected reason {reason.value}, got {', '.join(reasons)}"
    if expectation.screen is not None and allowed and screen is not expectation.screen:
        yield f"expected screen {expectation.screen.value}, got {screen.value if screen else None}"


def _fail(result: FileResult, out: TextIO, number: int, problem: str) -> None:
    message = f"{result.path}: step {number}: {problem}"
    result.failures.append(message)
    print(f"  FAIL {message}", file=out)


def scenario_files(targets: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


def run(targets: Iterable[str], out: TextIO = sys.stdout) -> int:
    """Run every scenario file under ``targets``; the exit code of the contract."""
    files = scenario_files(targets)
    results = []
    for path in files:
        if not path.is_file():
            result = FileResult(path, invalid="no such file")
            print(f"  INVALID {path}: no such file", file=out)
        else:
            result = run_file(path, out)
        results.append(result)
    failed = [r for r in results if r.status == FAILED]
    invalid = [r for r in results if r.status == INVALID]
    print(file=out)
    for r in failed:
        for message in r.failures:
            print(f"FAILED {message}", file=out)
    for r in invalid:
        print(f"INVALID {r.path}: {r.invalid}", file=out)
    passed = len(results) - len(failed) - len(invalid)
    print(f"scenarios: {passed} passed, {len(failed)} failed, {len(invalid)} invalid", file=out)
    if not files:
        print("no scenario files found", file=out)
        return INVALID
    return INVALID if invalid else FAILED if failed else OK


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ube_core.scenario", description="Run procedure scenario files."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="run scenario files or folders of them")
    run_parser.add_argument("targets", nargs="+", metavar="FILE_OR_DIR")
    args = parser.parse_args(argv)
    return run(args.targets, out)


if __name__ == "__main__":
    sys.exit(main())
