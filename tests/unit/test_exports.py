"""CSV, Excel and iCalendar exports (``ube_core.exports``): read back what was written."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from ube_core.exports import (
    REGISTER_HEADINGS,
    calendar_ics,
    ics_uids,
    register_csv,
    register_xlsx,
    to_csv,
)
from ube_core.queries.register import COLUMNS as REGISTER_COLUMNS


def register_rows() -> pd.DataFrame:
    rows = [
        (
            1,
            10,
            100,
            "T-0001",
            "Ann Example",
            "North patch",
            "spoc,written_only",
            "",
            "Sam Spoc",
            date(2026, 1, 5),
            date(2026, 7, 5),
            date(2026, 7, 5),
            date(2026, 6, 1),
            "pending",
            3,
            "lapsed",
            142,
        ),
        (
            2,
            11,
            101,
            "T-0002",
            '=HYPERLINK("http://x")',
            None,
            "single_channel",
            "email",
            None,
            date(2026, 9, 1),
            date(2027, 3, 1),
            date(2027, 3, 1),
            None,
            "none",
            0,
            "active",
            0,
        ),
    ]
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS))


def test_register_csv_reads_back_with_the_page_headings() -> None:
    rows = register_rows()
    back = pd.read_csv(io.BytesIO(register_csv(rows)), encoding="utf-8-sig")
    assert list(back.columns) == [REGISTER_HEADINGS[c] for c in REGISTER_HEADINGS]
    assert back["Tenancy ref"].tolist() == ["T-0001", "T-0002"]
    assert back["Breaches since start"].tolist() == [3, 0]
    assert back["Review overdue (days)"].tolist() == [142, 0]
    assert back["Start"].tolist() == ["2026-01-05", "2026-09-01"]
    # a formula typed as a name is written as text, never run by a spreadsheet
    assert back["Customer"].tolist()[1] == '\'=HYPERLINK("http://x")'


def test_register_xlsx_reads_back_with_real_dates_and_a_red_flag() -> None:
    rows = register_rows()
    data = register_xlsx(rows, title="Restriction register on 24 Nov 2026")
    back = pd.read_excel(io.BytesIO(data), header=2)
    assert len(back) == 2
    assert back["Customer"].tolist()[0] == "Ann Example"
    assert back["Restriction id"].tolist() == [1, 2]
    assert pd.Timestamp(back["Next review"].iloc[0]).date() == date(2026, 7, 5)
    book = load_workbook(io.BytesIO(data))
    sheet = book["Restriction register"]
    assert sheet["A1"].value == "Restriction register on 24 Nov 2026"
    headings = [c.value for c in sheet[3]]
    flag = headings.index("Review overdue (days)") + 1
    assert sheet.cell(row=4, column=flag).font.color.rgb.endswith("C62828")
    assert not sheet.cell(row=5, column=flag).font.b
    assert sheet.cell(row=4, column=flag).font.b
    start = headings.index("Start") + 1
    assert sheet.cell(row=4, column=start).number_format == "d mmm yyyy"
    assert sheet.freeze_panes == "A4"


def test_empty_exports_keep_their_headings() -> None:
    empty = register_rows().iloc[0:0]
    assert pd.read_csv(io.BytesIO(register_csv(empty)), encoding="utf-8-sig").empty
    back = pd.read_excel(io.BytesIO(register_xlsx(empty)))
    assert list(back.columns)[:2] == ["Tenancy ref", "Customer"]
    assert back.empty


def test_csv_strips_control_characters() -> None:
    data = to_csv(pd.DataFrame({"a": ["x\x00y\x1bz"]}))
    assert data.decode("utf-8-sig").splitlines()[1] == "xyz"


def calendar_rows(shift: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                "ube-case_review-restriction-7@ube",
                "case_review",
                date(2026, 11, 20) + timedelta(days=shift),
                True,
                3,
                7,
                "Ann Example",
                "Six-monthly case review (§10)",
                5,
                "Cara Manager",
            ),
            (
                "ube-recommendation-recommendation-2@ube",
                "recommendation",
                date(2026, 12, 1),
                False,
                4,
                None,
                "Bo <b>Bold</b>",
                "SPOC review recommendation: write to the customer",
                None,
                None,
            ),
        ],
        columns=[
            "uid",
            "kind",
            "due_on",
            "overdue",
            "case_id",
            "restriction_id",
            "customer_name",
            "title",
            "owner_id",
            "owner_name",
        ],
    )


def test_ics_events_parse_back_as_all_day_events() -> None:
    stamp = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    cal = Calendar.from_ical(calendar_ics(calendar_rows(), stamp=stamp))
    events = cal.walk("VEVENT")
    assert len(events) == 2
    first, second = events
    assert first["uid"] == "ube-case_review-restriction-7@ube"
    assert first.decoded("dtstart") == date(2026, 11, 20)
    assert first.decoded("dtend") == date(2026, 11, 21)
    assert str(first["summary"]).startswith("OVERDUE: Six-monthly case review")
    assert "Ann Example" in str(first["summary"])
    assert "Owner: Cara Manager" in str(first["description"])
    assert first.decoded("dtstamp") == stamp
    assert not str(second["summary"]).startswith("OVERDUE")
    assert "Owner: not assigned" in str(second["description"])
    assert str(cal["x-wr-calname"]) == "UBE reviews and deadlines"


def test_ics_uids_are_stable_across_exports() -> None:
    """A later export (new stamp, a moved date) keeps each item's UID: an update, no duplicate."""
    one = calendar_ics(calendar_rows(), stamp=datetime(2026, 11, 24, tzinfo=UTC))
    two = calendar_ics(calendar_rows(shift=7), stamp=datetime(2026, 12, 1, tzinfo=UTC))
    assert one != two
    assert (
        ics_uids(one)
        == ics_uids(two)
        == [
            "ube-case_review-restriction-7@ube",
            "ube-recommendation-recommendation-2@ube",
        ]
    )


def test_ics_needs_an_aware_stamp() -> None:
    with pytest.raises(ValueError, match="timezone"):
        calendar_ics(calendar_rows(), stamp=datetime(2026, 11, 24))
