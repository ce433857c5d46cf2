"""Dashboard figures (``ube_ui.charts``) and the calendar grids (``ube_ui.calendar_view``)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ube_ui import charts
from ube_ui.calendar_view import month_bounds, month_grid, week_bounds, week_grid


def test_incidents_per_month_stacks_each_category_with_its_numbers() -> None:
    rows = pd.DataFrame(
        [
            ("2026-01", "aggressive_abusive", 3),
            ("2026-01", "unreasonable_demands", 1),
            ("2026-03", "aggressive_abusive", 5),
        ],
        columns=["month", "category", "incidents"],
    )
    chart = charts.incidents_per_month(rows, by="category")
    names = [trace.name for trace in chart.figure.data]
    assert names == ["Aggressive or abusive behaviour", "Unreasonable demands"]
    assert list(chart.figure.data[0].y) == [3, 5]
    assert list(chart.figure.data[1].y) == [1, 0]
    assert list(chart.figure.data[0].x) == ["Jan<br>2026", "Mar<br>2026"]
    assert chart.figure.layout.barmode == "stack"
    assert chart.summary == (
        "9 incidents from Jan 2026 to Mar 2026. Most were aggressive or abusive behaviour "
        "(8, 89%). Busiest month: Mar 2026 (5)."
    )


def test_empty_frames_give_an_annotated_figure_and_say_so() -> None:
    empty = pd.DataFrame(columns=["month", "channel", "incidents"])
    chart = charts.incidents_per_month(empty, by="channel")
    assert chart.summary == "No incidents recorded."
    assert chart.figure.layout.annotations[0].text == "No incidents in this period"
    assert charts.stage_funnel(pd.DataFrame(columns=["stage", "cases"])).summary == (
        "No open cases."
    )


def test_funnel_counts_each_stage_reached_or_passed() -> None:
    rows = pd.DataFrame(
        [
            ("Incident logged", 10),
            ("Informal action", 5),
            ("Formal warning", 3),
            ("Contact restricted", 2),
            ("Restriction ended", 1),
            ("Legal action", 1),
        ],
        columns=["stage", "cases"],
    )
    chart = charts.stage_funnel(rows)
    assert list(chart.figure.data[0].x) == [22, 12, 7, 4, 1]
    assert chart.summary == (
        "22 open cases; of these, reached at least: 12 informal action, 7 formal warning, "
        "4 contact restricted, 1 legal action."
    )


def test_restriction_charts_keep_acronyms_and_buckets() -> None:
    types = pd.DataFrame([("spoc", 4), ("written_only", 2)], columns=["type", "restrictions"])
    chart = charts.restrictions_by_type(types)
    assert list(chart.figure.data[0].x) == [2, 4]
    assert "single point of contact (SPOC) 4" in chart.summary
    durations = pd.DataFrame(
        [("under 3 months", 2), ("3 to 6 months", 0), ("6 to 9 months", 1), ("9 to 12 months", 0)],
        columns=["running_for", "restrictions"],
    )
    assert charts.restrictions_by_duration(durations).summary.startswith("3 active restrictions.")


def test_reviews_and_appeals_carry_their_numbers_as_text() -> None:
    reviews = pd.DataFrame(
        [("case_review", 2, 5), ("spoc_review", 0, 1), ("eia_review", 1, 0)],
        columns=["review", "overdue", "due_soon"],
    )
    chart = charts.reviews_due(reviews)
    overdue, soon = chart.figure.data
    assert list(overdue.y) == [2, 0, 1] and list(overdue.text) == [
        "2 overdue",
        "0 overdue",
        "1 overdue",
    ]
    assert list(soon.y) == [5, 1, 0]
    assert chart.summary == (
        "Overdue: 2 case reviews, 0 SPOC reviews, 1 EIA reviews. Due in the next 30 days: "
        "5 case reviews, 1 SPOC reviews, 0 EIA reviews."
    )
    appeals = pd.DataFrame(
        [("appeal", 4, 3, 3, 2, 1, 1, 1), ("reconsideration", 1, 1, 0, 0, 0, 1, 0)],
        columns=[
            "kind",
            "received",
            "in_time",
            "decided",
            "decided_on_time",
            "decided_late",
            "pending",
            "pending_overdue",
        ],
    )
    chart = charts.appeals(appeals)
    received = next(t for t in chart.figure.data if t.name == "Received")
    assert list(received.y) == [4, 1]
    assert "appeals: 4 received, 3 in time, 2 of 3 decided within 28 days, 1 late" in (
        chart.summary
    )


def test_spoc_compliance_shows_percent_and_counts() -> None:
    rows = pd.DataFrame(
        [("2026-Q2", 0, 0, None), ("2026-Q3", 4, 3, 0.75), ("2026-Q4", 2, 2, 1.0)],
        columns=["quarter", "required", "signed_off", "compliance"],
    )
    chart = charts.spoc_compliance(rows)
    bar = chart.figure.data[0]
    assert list(bar.x) == ["2026-Q3", "2026-Q4"]
    assert list(bar.y) == [75, 100]
    assert (
        chart.summary == "Signed off in each quarter: 2026-Q3 75% (3 of 4); 2026-Q4 100% (2 of 2)."
    )


def test_breaches_are_bucketed_and_summed() -> None:
    rows = pd.DataFrame([(0, 5), (1, 3), (4, 2), (12, 1)], columns=["breaches", "restrictions"])
    chart = charts.breaches(rows)
    assert list(chart.figure.data[0].y) == [5, 3, 0, 2, 0, 1]
    assert list(chart.figure.data[0].x) == ["0", "1", "2", "3 to 5", "6 to 10", "more than 10"]
    assert chart.figure.layout.xaxis.type == "category"
    assert chart.summary.startswith(
        "Of 11 restrictions in force in the period, 6 (55%) had at least one breach; "
        "23 breaches in all"
    )


def test_contacts_before_and_after() -> None:
    rows = pd.DataFrame(
        [("90 days before", 4, 40, 10.0), ("90 days after", 4, 10, 2.5)],
        columns=["window", "restrictions", "contacts", "average_per_customer"],
    )
    chart = charts.contacts_before_after(rows)
    assert list(chart.figure.data[0].y) == [10.0, 2.5]
    assert "(-75%)" in chart.summary
    none = rows.assign(restrictions=0)
    assert "has run for 90 days" in charts.contacts_before_after(none).summary


def test_equality_names_a_group_restricted_out_of_proportion() -> None:
    rows = pd.DataFrame(
        [
            ("No needs recorded", 5, 70),
            ("Mental health", 4, 20),
            ("Neurodivergence", 1, 10),
        ],
        columns=["needs_group", "restrictions", "incidents"],
    )
    chart = charts.equality(rows)
    share_incidents, share_restrictions = chart.figure.data
    assert list(share_incidents.y) == ["No needs recorded", "Mental health", "Neurodivergence"]
    assert [round(v) for v in share_incidents.x] == [70, 20, 10]
    assert [round(v) for v in share_restrictions.x] == [50, 40, 10]
    assert "mental health (40% of restrictions against 20% of incidents)" in chart.summary
    assert "no needs recorded (" not in chart.summary
    fair = rows.assign(restrictions=[7, 2, 1])
    assert "No needs group's share" in charts.equality(fair).summary


def calendar_items() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("u1", "case_review", date(2026, 11, 3), True, 1, 1, "Ann <script>", "t", 1, "Cara"),
            ("u2", "eia_review", date(2026, 11, 24), False, 2, None, "Bo", "t", None, None),
            ("u3", "restriction_end", date(2026, 12, 2), False, 3, 3, "Cy", "t", 1, "Cara"),
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


def test_month_grid_bounds_are_whole_weeks() -> None:
    assert month_bounds(2026, 11) == (date(2026, 10, 26), date(2026, 12, 6))
    assert week_bounds(date(2026, 11, 26)) == (date(2026, 11, 23), date(2026, 11, 29))


def test_month_grid_lists_items_in_words_and_links_to_the_case() -> None:
    html = month_grid(
        calendar_items(), year=2026, month=11, today=date(2026, 11, 24), customers={1: 41, 2: 42}
    )
    assert "<caption>November 2026</caption>" in html
    assert "<b>Overdue: Case review</b><br>Ann &lt;script&gt;" in html
    assert "<script>" not in html.replace("<style>", "")
    assert 'href="customer?customer=41"' in html
    assert "24 · Today" in html
    assert "<b>Restriction ends</b><br>Cy" in html  # 2 Dec: on the grid's last week
    # no customer known: the entry is shown but not linked
    assert '<span class="ube-chip"' in html


def test_week_grid_shows_only_its_week() -> None:
    html = week_grid(
        calendar_items(), day=date(2026, 11, 25), today=date(2026, 11, 24), customers={}
    )
    assert "Week of 23 Nov 2026 to 29 Nov 2026" in html
    assert "EIA review</b><br>Bo" in html
    assert "Ann" not in html
