"""The scenario runner's contract (SCENARIOS.md): exit codes, messages, the file format."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ube_core.scenario import main

ROOT = Path(__file__).resolve().parents[2]

HEADER = """\
title: test scenario
people:
  ann: officer
  bob: case_manager
  sue: senior_officer
steps:
"""

# The usual road to a restriction, valid and passing (EIA 2026-01-07).
ROAD = """\
- {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: moderate, by: ann}
- {date: 2026-01-06, do: initial_warning, by: ann}
- {date: 2026-01-07, do: eia, proportionate: true, by: bob, due: {eia_review: 2026-07-07}}
- {date: 2026-01-08, do: formal_warning, by: bob}
- {date: 2026-01-09, do: incident, category: unreasonable_demands, severity: low}
"""


def steps(*blocks: str) -> str:
    """Step blocks (each dedented) as the indented list under ``steps:``."""
    return "".join(textwrap.indent(textwrap.dedent(block), "  ") for block in blocks)


def scenario(*blocks: str) -> str:
    return HEADER + steps(*blocks)


PASSING = scenario(
    ROAD,
    """\
    - date: 2026-01-10
      do: restrict
      types: [written_only]
      months: 6
      reasons: "Repeated abusive calls"
      by: bob
      due:
        restriction_end: 2026-07-10
        case_review: 2026-07-10
        appeal_deadline: 2026-01-24
        spoc_review: null
    - {date: 2026-01-11, do: contact, channel: phone, screen: breach}
    - {date: 2026-01-12, do: contact, channel: phone, topic: urgent_repair, screen: exclusion}
    - {date: 2026-01-13, do: breach_warning, by: bob}
    - {date: 2026-01-24, do: appeal, letter_date: 2026-01-10, by: ann}
    - {date: 2026-02-01, do: appeal_decision, outcome: upheld, by: bob, expect: blocked,
       reason: not_authorised}
    - {date: 2026-02-01, do: appeal_decision, outcome: upheld, by: sue,
       due: {appeal_decision: null}}
    """,
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(*targets: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["run", *(str(t) for t in targets)], out=out)
    return code, out.getvalue()


def test_passing_file_exits_0(tmp_path: Path) -> None:
    code, out = run(write(tmp_path, "ok.yaml", PASSING))
    assert code == 0, out
    assert "1 passed, 0 failed, 0 invalid" in out


def test_failed_expectation_exits_1_naming_file_and_step(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fails.yaml",
        scenario(
            """\
            - {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low}
            - {date: 2026-01-06, do: formal_warning}
            - {date: 2026-01-07, do: support}
            """
        ),
    )
    code, out = run(path)
    assert code == 1, out
    assert f"{path}: step 2" in out
    assert "expected ok, got blocked" in out
    assert "eia_missing" in out
    assert "0 passed, 1 failed, 0 invalid" in out


@pytest.mark.parametrize(
    ("step_yaml", "problem"),
    [
        (
            "- {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low,"
            " expect: blocked}",
            "expected blocked, got ok",
        ),
        (
            "- {date: 2026-01-05, do: support, expect: blocked, reason: eia_missing}",
            "expected reason eia_missing, got no_incident",
        ),
        (
            "- {date: 2026-01-05, do: contact, channel: phone, screen: breach}",
            "expected screen breach, got allowed",
        ),
        (
            "- {date: 2026-01-05, do: eia, proportionate: true, due: {eia_review: 2026-07-06}}",
            "due eia_review: expected 2026-07-06, got 2026-07-05",
        ),
        (
            "- {date: 2026-01-05, do: eia, proportionate: true, due: {case_review: 2026-07-05}}",
            "due case_review: expected 2026-07-05, got null",
        ),
    ],
    ids=["blocked", "reason", "screen", "due-date", "due-null"],
)
def test_each_kind_of_failed_expectation(tmp_path: Path, step_yaml: str, problem: str) -> None:
    path = write(tmp_path, "f.yaml", scenario(step_yaml))
    code, out = run(path)
    assert code == 1, out
    assert f"{path}: step 1: {problem}" in out


INVALID_CASES = {
    "unknown-action": (
        """\
        - {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low}
        - {date: 2026-01-06, do: evict}
        """,
        ["step 2", "do", "evict"],
    ),
    "bad-date": (
        """\
        - {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low}
        - {date: 2026-02-30, do: support}
        """,
        ["step 2", "date", "2026-02-30"],
    ),
    "bad-date-format": (
        """\
        - {date: 5 Jan 2026, do: incident, category: aggressive_abusive, severity: low}
        """,
        ["step 1", "date"],
    ),
    "out-of-order": (
        """\
        - {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low}
        - {date: 2026-01-04, do: support}
        """,
        ["step 2", "date"],
    ),
    "typo-expcet": (
        """\
        - {date: 2026-01-05, do: support, expcet: blocked}
        """,
        ["step 1", "expcet"],
    ),
    "field-of-another-action": (
        """\
        - {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low,
           outcome: remain}
        """,
        ["step 1", "outcome"],
    ),
    "missing-severity": (
        """\
        - {date: 2026-01-05, do: incident, category: aggressive_abusive}
        """,
        ["step 1", "severity"],
    ),
    "bad-severity": (
        """\
        - {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: awful}
        """,
        ["step 1", "severity", "awful"],
    ),
    "reason-with-expect-ok": (
        """\
        - {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low,
           expect: ok, reason: no_incident}
        """,
        ["step 1", "reason"],
    ),
    "reason-without-expect": (
        """\
        - {date: 2026-01-05, do: support, reason: no_incident}
        """,
        ["step 1", "reason"],
    ),
    "unknown-reason-code": (
        """\
        - {date: 2026-01-05, do: support, expect: blocked, reason: no_incidnet}
        """,
        ["step 1", "reason", "no_incidnet"],
    ),
    "unknown-due-key": (
        """\
        - {date: 2026-01-05, do: eia, proportionate: true, due: {eia_reveiw: 2026-07-05}}
        """,
        ["step 1", "eia_reveiw"],
    ),
    "bad-due-date": (
        """\
        - {date: 2026-01-05, do: eia, proportionate: true, due: {eia_review: 2026-13-05}}
        """,
        ["step 1", "eia_review"],
    ),
    "bad-expect": (
        """\
        - {date: 2026-01-05, do: support, expect: refused}
        """,
        ["step 1", "expect"],
    ),
    "missing-do": (
        """\
        - {date: 2026-01-05}
        """,
        ["step 1", "do"],
    ),
}


@pytest.mark.parametrize("name", list(INVALID_CASES))
def test_invalid_file_exits_2_naming_file_step_and_field(tmp_path: Path, name: str) -> None:
    step_yaml, words = INVALID_CASES[name]
    path = write(tmp_path, f"{name}.yaml", scenario(step_yaml))
    code, out = run(path)
    assert code == 2, out
    invalid_lines = [line for line in out.splitlines() if line.startswith("INVALID")]
    assert invalid_lines, out
    assert str(path) in invalid_lines[0]
    for word in words:
        assert word in invalid_lines[0], (word, invalid_lines[0])


def test_invalid_file_runs_no_further_steps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "stops.yaml",
        scenario(
            """\
            - {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low}
            - {date: 2026-01-06, do: evict}
            - {date: 2026-01-07, do: support, expect: blocked}
            """
        ),
    )
    code, out = run(path)
    assert code == 2
    assert "step 3" not in out  # the failing expectation of step 3 was never checked
    assert "support" not in out


def test_unknown_top_level_key_is_invalid(tmp_path: Path) -> None:
    text = "titel: x\nsteps:\n" + steps(
        "- {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low}\n"
    )
    code, out = run(write(tmp_path, "top.yaml", text))
    assert code == 2
    assert "titel" in out


def test_unknown_role_is_invalid(tmp_path: Path) -> None:
    text = "title: x\npeople: {ann: janitor}\nsteps:\n  - {date: 2026-01-05, do: support}\n"
    code, out = run(write(tmp_path, "role.yaml", text))
    assert code == 2
    assert "janitor" in out


def test_2_wins_over_1_across_files(tmp_path: Path) -> None:
    failing = write(tmp_path, "a_fails.yaml", scenario("- {date: 2026-01-05, do: support}\n"))
    invalid = write(tmp_path, "b_invalid.yaml", scenario("- {date: 2026-01-05, do: evict}\n"))
    code, out = run(failing, invalid)
    assert code == 2
    assert f"FAILED {failing}: step 1" in out
    assert f"INVALID {invalid}" in out
    assert "0 passed, 1 failed, 1 invalid" in out
    assert run(invalid, failing)[0] == 2


def test_2_wins_over_1_in_one_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "both.yaml",
        scenario(
            """\
            - {date: 2026-01-05, do: support}
            - {date: 2026-01-06, do: evict}
            """
        ),
    )
    code, out = run(path)
    assert code == 2
    assert f"{path}: step 1" in out  # the failure before it was still reported


def test_folder_is_searched_recursively(tmp_path: Path) -> None:
    write(tmp_path, "top.yaml", PASSING)
    deep = write(tmp_path, "a/b/c/deep.yaml", scenario("- {date: 2026-01-05, do: support}\n"))
    write(tmp_path, "a/notes.txt", "not a scenario")
    code, out = run(tmp_path)
    assert code == 1, out
    assert f"FAILED {deep}: step 1" in out
    assert "1 passed, 1 failed, 0 invalid" in out


def test_folder_with_only_passing_files(tmp_path: Path) -> None:
    write(tmp_path, "x/one.yaml", PASSING)
    write(tmp_path, "x/y/two.yml", PASSING)
    code, out = run(tmp_path)
    assert code == 0, out
    assert "2 passed, 0 failed, 0 invalid" in out


def test_no_files_or_missing_file_is_invalid(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run(tmp_path / "empty")[0] == 2
    code, out = run(tmp_path / "nope.yaml")
    assert code == 2
    assert "nope.yaml" in out


def test_missing_types_on_restrict_is_a_refusal_not_invalid(tmp_path: Path) -> None:
    blocked_ok = scenario(
        ROAD,
        """\
        - date: 2026-01-10
          do: restrict
          months: 6
          reasons: "Repeated abusive calls"
          expect: blocked
          reason: details_missing
        - date: 2026-01-10
          do: restrict
          types: []
          months: 6
          reasons: "Repeated abusive calls"
          expect: blocked
          reason: details_missing
        - date: 2026-01-10
          do: restrict
          types: [spoc]
          months: 6
          reasons: "Repeated abusive calls"
          expect: blocked
          reason: details_missing
        - {date: 2026-01-11, do: contact, channel: phone, screen: allowed}
        """,
    )
    code, out = run(write(tmp_path, "refused.yaml", blocked_ok))
    assert code == 0, out
    expected_ok = scenario(ROAD, "- {date: 2026-01-10, do: restrict, months: 6, reasons: abuse}\n")
    code, out = run(write(tmp_path, "expected_ok.yaml", expected_ok))
    assert code == 1, out
    assert "details_missing" in out


def test_quoted_and_bare_dates(tmp_path: Path) -> None:
    text = scenario(
        """\
        - {date: '2026-01-05', do: incident, category: aggressive_abusive, severity: low}
        - {date: 2026-01-06, do: initial_warning}
        - date: "2026-01-07"
          do: eia
          proportionate: true
          due: {eia_review: '2026-07-07'}
        - {date: 2026-01-07, do: circumstances_change, due: {eia_review: 2026-01-07}}
        """
    )
    code, out = run(write(tmp_path, "dates.yaml", text))
    assert code == 0, out


def test_person_with_a_list_of_roles(tmp_path: Path) -> None:
    header = "title: roles\npeople:\n  lee: [officer, line_manager]\n  bob: case_manager\nsteps:\n"
    text = header + steps(
        ROAD.replace("by: ann", "by: lee"),
        """\
        - {date: 2026-01-10, do: restrict, types: [spoc], spoc: sam, months: 6,
           reasons: abuse, by: bob}
        - {date: 2026-01-11, do: restrict, types: [spoc], spoc: sam, months: 6,
           reasons: abuse, by: lee, expect: blocked, reason: not_authorised}
        - {date: 2026-01-12, do: contact, channel: phone, by: lee, screen: breach}
        - {date: 2026-04-01, do: spoc_review, by: lee}
        - {date: 2026-04-02, do: spoc_review, by: bob}
        - {date: 2026-04-03, do: spoc_review, by: sam, expect: blocked, reason: reviewer_is_spoc}
        """,
    )
    code, out = run(write(tmp_path, "roles.yaml", text))
    assert code == 0, out


def test_role_refusal_is_a_failed_expectation_when_not_expected(tmp_path: Path) -> None:
    text = scenario(
        """\
        - {date: 2026-01-05, do: incident, category: aggressive_abusive, severity: low}
        - {date: 2026-01-06, do: eia, proportionate: true, by: ann}
        """
    )
    code, out = run(write(tmp_path, "role.yaml", text))
    assert code == 1
    assert "not_authorised" in out


def test_blocked_step_changes_nothing(tmp_path: Path) -> None:
    text = scenario(
        ROAD,
        """\
        - {date: 2026-01-10, do: restrict, types: [written_only], months: 0, reasons: x,
           expect: blocked, reason: details_missing,
           due: {restriction_end: null, case_review: null, appeal_deadline: null}}
        - {date: 2026-01-11, do: contact, channel: phone, screen: allowed}
        """,
    )
    code, out = run(write(tmp_path, "nothing.yaml", text))
    assert code == 0, out


def test_run_prints_each_step_with_its_outcome(tmp_path: Path) -> None:
    code, out = run(write(tmp_path, "ok.yaml", PASSING))
    assert code == 0
    assert "2026-01-11  contact" in out
    assert "-> breach" in out
    assert "blocked: not_authorised" in out


def test_command_line_exit_code_and_no_traceback(tmp_path: Path) -> None:
    invalid = write(tmp_path, "bad.yaml", scenario("- {date: 2026-02-30, do: support}\n"))
    result = subprocess.run(
        [sys.executable, "-m", "ube_core.scenario", "run", str(invalid)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    assert str(invalid) in result.stdout
    good = write(tmp_path, "good.yaml", PASSING)
    result = subprocess.run(
        [sys.executable, "-m", "ube_core.scenario", "run", str(good)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
