"""Plotly figures for the dashboard, each with a short text summary for screen readers.

Pure functions: a small frame from ``ube_core.queries.dashboard`` in, a ``Chart`` out (no
Streamlit here, so they are unit-tested directly). Bars carry their numbers as text and every
series is named in the legend, so no meaning rests on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from ube_core.procedure import Category, Channel, RestrictionType
from ube_core.queries import Dashboard

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
RED = "#C62828"

# The way a case goes (§4, §5, §8): each stage "reached" includes the later ones.
FUNNEL_STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Incident logged",
        (
            "Incident logged",
            "Informal action",
            "Formal warning",
            "Contact restricted",
            "Restriction ended",
            "Legal action",
        ),
    ),
    (
        "Informal action",
        (
            "Informal action",
            "Formal warning",
            "Contact restricted",
            "Restriction ended",
            "Legal action",
        ),
    ),
    (
        "Formal warning",
        ("Formal warning", "Contact restricted", "Restriction ended", "Legal action"),
    ),
    ("Contact restricted", ("Contact restricted", "Restriction ended", "Legal action")),
    ("Legal action", ("Legal action",)),
)
REVIEW_LABELS = {
    "case_review": "Case reviews (§10)",
    "spoc_review": "SPOC reviews (§6)",
    "eia_review": "EIA reviews (§2)",
}
APPEAL_KIND_LABELS = {"appeal": "Appeals", "reconsideration": "Reconsiderations"}
BREACH_BUCKETS = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2", 2, 2),
    ("3 to 5", 3, 5),
    ("6 to 10", 6, 10),
    ("more than 10", 11, 10**9),
)
OUTCOME_LABELS = {
    "upheld": "Upheld",
    "overturned": "Overturned",
    "lift": "Lifted",
    "keep": "Kept",
}


@dataclass(frozen=True)
class Chart:
    title: str
    figure: go.Figure
    summary: str


def _labels(kind: type[Category] | type[Channel] | type[RestrictionType]) -> dict[str, str]:
    return {m.value: m.label for m in kind}


def month_label(month: str) -> str:
    """'2026-11' -> 'Nov 2026'."""
    year, number = month.split("-")
    return date(int(year), int(number), 1).strftime("%b %Y")


def _axis_month(month: str) -> str:
    """'2026-11' -> 'Nov<br>2026' (two short lines under a bar)."""
    return month_label(month).replace(" ", "<br>")


def _figure(title: str, *, height: int = 360) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "xanchor": "left"},
        plot_bgcolor="white",
        font={"size": 13},
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#E0E0E0", rangemode="tozero")
    return fig


def _empty(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(
        text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 14}
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _lower(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, but not an acronym (SPOC, EIA)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return text
    return text[:1].lower() + text[1:]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _pct(part: float, whole: float) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


# -- incidents -----------------------------------------------------------------------------
def incidents_per_month(rows: pd.DataFrame, *, by: str) -> Chart:
    """Stacked bars of incidents per month, one series per category or channel."""
    if by not in ("category", "channel"):
        raise ValueError("by must be 'category' or 'channel'")
    names = _labels(Category if by == "category" else Channel)
    title = f"Incidents per month by {by}"
    fig = _figure(title)
    if rows.empty:
        return Chart(title, _empty(fig, "No incidents in this period"), "No incidents recorded.")
    months = sorted(rows["month"].unique())
    x = [_axis_month(m) for m in months]
    totals = rows.groupby(by)["incidents"].sum().sort_values(ascending=False)
    for i, (key, _) in enumerate(totals.items()):
        part = rows[rows[by] == key].set_index("month")["incidents"]
        y = [int(part.get(m, 0)) for m in months]
        fig.add_bar(
            name=names.get(str(key), str(key)),
            x=x,
            y=y,
            marker_color=PALETTE[i % len(PALETTE)],
            text=[v or "" for v in y],
            textposition="inside",
        )
    fig.update_layout(barmode="stack", yaxis_title="Incidents")
    per_month = rows.groupby("month")["incidents"].sum()
    total = int(per_month.sum())
    busiest = str(per_month.idxmax())
    top_key = str(totals.index[0])
    summary = (
        f"{_plural(total, 'incident')} from {month_label(months[0])} to "
        f"{month_label(months[-1])}. "
        f"Most were {_lower(names.get(top_key, top_key))} ({int(totals.iloc[0])}, "
        f"{_pct(int(totals.iloc[0]), total)}). Busiest month: {month_label(busiest)} "
        f"({int(per_month.max())})."
    )
    return Chart(title, fig, summary)


# -- cases ---------------------------------------------------------------------------------
def stage_funnel(rows: pd.DataFrame) -> Chart:
    """Open cases by the furthest stage reached, as a funnel from incident to legal step."""
    title = "Open cases: how far they have gone"
    fig = _figure(title)
    counts = {
        str(s): int(n) for s, n in zip(rows.get("stage", []), rows.get("cases", []), strict=True)
    }
    reached = [(name, sum(counts.get(s, 0) for s in stages)) for name, stages in FUNNEL_STAGES]
    total = reached[0][1]
    if total == 0:
        return Chart(title, _empty(fig, "No open cases"), "No open cases.")
    fig.add_trace(
        go.Funnel(
            y=[name for name, _ in reached],
            x=[n for _, n in reached],
            textinfo="value+percent initial",
            marker={"color": PALETTE[0]},
            name="Cases",
        )
    )
    parts = ", ".join(f"{n} {_lower(name)}" for name, n in reached[1:])
    summary = f"{_plural(total, 'open case')}; of these, reached at least: {parts}."
    return Chart(title, fig, summary)


# -- restrictions --------------------------------------------------------------------------
def restrictions_by_type(rows: pd.DataFrame) -> Chart:
    title = "Active restrictions by type"
    fig = _figure(title)
    if rows.empty or int(rows["restrictions"].sum()) == 0:
        return Chart(title, _empty(fig, "No active restrictions"), "No active restrictions.")
    names = _labels(RestrictionType)
    ordered = rows.sort_values("restrictions")
    labels = [names.get(str(t), str(t)) for t in ordered["type"]]
    values = [int(v) for v in ordered["restrictions"]]
    fig.add_bar(
        y=labels,
        x=values,
        orientation="h",
        marker_color=PALETTE[0],
        text=values,
        textposition="outside",
        cliponaxis=False,
        name="Restrictions",
    )
    fig.update_layout(xaxis_title="Active restrictions holding this type", showlegend=False)
    fig.update_xaxes(range=[0, max(values) * 1.15 + 1])
    top = ", ".join(
        f"{_lower(lab)} {v}" for lab, v in list(zip(labels, values, strict=True))[::-1][:3]
    )
    summary = f"Types held by active restrictions (one restriction may hold several): {top}."
    return Chart(title, fig, summary)


def restrictions_by_duration(rows: pd.DataFrame) -> Chart:
    title = "Active restrictions: how long they have run"
    fig = _figure(title)
    total = int(rows["restrictions"].sum()) if not rows.empty else 0
    if total == 0:
        return Chart(title, _empty(fig, "No active restrictions"), "No active restrictions.")
    labels = [str(v) for v in rows["running_for"]]
    values = [int(v) for v in rows["restrictions"]]
    fig.add_bar(x=labels, y=values, marker_color=PALETTE[2], text=values, textposition="outside")
    fig.update_layout(yaxis_title="Restrictions", showlegend=False)
    parts = "; ".join(f"{lab}: {v}" for lab, v in zip(labels, values, strict=True))
    return Chart(title, fig, f"{_plural(total, 'active restriction')}. Running for {parts}.")


def reviews_due(rows: pd.DataFrame, *, soon_days: int = 30) -> Chart:
    title = f"Reviews overdue and due in the next {soon_days} days"
    fig = _figure(title)
    labels = [REVIEW_LABELS.get(str(r), str(r)) for r in rows["review"]]
    overdue = [int(v) for v in rows["overdue"]]
    soon = [int(v) for v in rows["due_soon"]]
    fig.add_bar(
        name="Overdue",
        x=labels,
        y=overdue,
        marker_color=RED,
        text=[f"{v} overdue" for v in overdue],
        textposition="outside",
    )
    fig.add_bar(
        name=f"Due in {soon_days} days",
        x=labels,
        y=soon,
        marker_color=PALETTE[4],
        text=[f"{v} due" for v in soon],
        textposition="outside",
    )
    fig.update_layout(barmode="group", yaxis_title="Reviews")
    summary = "Overdue: " + ", ".join(
        f"{v} {_lower(lab.split(' (')[0])}" for lab, v in zip(labels, overdue, strict=True)
    )
    summary += f". Due in the next {soon_days} days: " + ", ".join(
        f"{v} {_lower(lab.split(' (')[0])}" for lab, v in zip(labels, soon, strict=True)
    )
    return Chart(title, fig, summary + ".")


# -- appeals (§11) -------------------------------------------------------------------------
def appeals(rows: pd.DataFrame) -> Chart:
    """Received, in time, decided within 28 days, decided late, awaiting a decision."""
    title = "Appeals and reconsiderations received"
    fig = _figure(title)
    measures = (
        ("received", "Received", PALETTE[0]),
        ("in_time", "In time (14 days)", PALETTE[4]),
        ("decided_on_time", "Decided within 28 days", PALETTE[2]),
        ("decided_late", "Decided late", RED),
        ("pending", "Awaiting decision", PALETTE[1]),
    )
    kinds = [APPEAL_KIND_LABELS.get(str(k), str(k)) for k in rows["kind"]]
    for column, name, colour in measures:
        values = [int(v) for v in rows[column]]
        fig.add_bar(
            name=name, x=kinds, y=values, marker_color=colour, text=values, textposition="outside"
        )
    fig.update_layout(barmode="group", yaxis_title="Requests")
    parts = []
    for row in rows.itertuples(index=False):
        label = APPEAL_KIND_LABELS.get(str(row.kind), str(row.kind)).lower()
        parts.append(
            f"{label}: {int(row.received)} received, {int(row.in_time)} in time, "
            f"{int(row.decided_on_time)} of {int(row.decided)} decided within 28 days, "
            f"{int(row.decided_late)} late, {int(row.pending)} awaiting a decision "
            f"({int(row.pending_overdue)} overdue)"
        )
    return Chart(title, fig, "In the period — " + "; ".join(parts) + ".")


def appeal_outcomes(rows: pd.DataFrame) -> Chart:
    title = "Decisions on appeals and reconsiderations"
    fig = _figure(title)
    if rows.empty:
        return Chart(title, _empty(fig, "No decisions yet"), "No decisions in this period.")
    for i, (kind, part) in enumerate(rows.groupby("kind", sort=True)):
        labels = [OUTCOME_LABELS.get(str(o), str(o)) for o in part["outcome"]]
        values = [int(v) for v in part["decisions"]]
        fig.add_bar(
            name=APPEAL_KIND_LABELS.get(str(kind), str(kind)),
            x=labels,
            y=values,
            marker_color=PALETTE[i % len(PALETTE)],
            text=values,
            textposition="outside",
        )
    fig.update_layout(barmode="group", yaxis_title="Decisions")
    parts = [
        f"{APPEAL_KIND_LABELS.get(str(r.kind), str(r.kind)).lower()} "
        f"{OUTCOME_LABELS.get(str(r.outcome), str(r.outcome)).lower()}: {int(r.decisions)}"
        for r in rows.itertuples(index=False)
    ]
    return Chart(title, fig, "Outcomes — " + "; ".join(parts) + ".")


# -- SPOC sign-off compliance (§6) ---------------------------------------------------------
def spoc_compliance(rows: pd.DataFrame) -> Chart:
    title = "SPOC quarterly sign-off compliance"
    fig = _figure(title)
    needed = rows[rows["required"] > 0] if not rows.empty else rows
    if needed.empty:
        return Chart(
            title, _empty(fig, "No SPOC sign-offs were needed"), "No SPOC sign-offs were needed."
        )
    quarters = [str(q) for q in needed["quarter"]]
    pct = [
        round(100 * int(s) / int(r))
        for s, r in zip(needed["signed_off"], needed["required"], strict=True)
    ]
    text = [
        f"{p}% ({int(s)} of {int(r)})"
        for p, s, r in zip(pct, needed["signed_off"], needed["required"], strict=True)
    ]
    fig.add_bar(
        x=quarters,
        y=pct,
        marker_color=[PALETTE[2] if p == 100 else PALETTE[1] for p in pct],
        text=text,
        textposition="outside",
        name="Signed off",
    )
    fig.update_layout(yaxis_title="% signed off", yaxis_range=[0, 115], showlegend=False)
    summary = "Signed off in each quarter: " + "; ".join(
        f"{q} {t}" for q, t in zip(quarters, text, strict=True)
    )
    return Chart(title, fig, summary + ".")


# -- breaches and contacts (§5, §8) --------------------------------------------------------
def breaches(rows: pd.DataFrame) -> Chart:
    title = "Breaches per restriction"
    fig = _figure(title)
    total = int(rows["restrictions"].sum()) if not rows.empty else 0
    if total == 0:
        return Chart(
            title,
            _empty(fig, "No restrictions in force in this period"),
            "No restrictions in force in this period.",
        )
    buckets = {label: 0 for label, _, _ in BREACH_BUCKETS}
    for count, restrictions in zip(rows["breaches"], rows["restrictions"], strict=True):
        label = next(lab for lab, low, high in BREACH_BUCKETS if low <= int(count) <= high)
        buckets[label] += int(restrictions)
    labels, values = list(buckets), list(buckets.values())
    fig.add_bar(x=labels, y=values, marker_color=PALETTE[5], text=values, textposition="outside")
    fig.update_layout(
        xaxis_title="Breaches since the restriction began", yaxis_title="Restrictions"
    )
    fig.update_xaxes(type="category")
    fig.update_layout(showlegend=False)
    with_any = int(rows.loc[rows["breaches"] > 0, "restrictions"].sum())
    all_breaches = int((rows["breaches"] * rows["restrictions"]).sum())
    summary = (
        f"Of {_plural(total, 'restriction')} in force in the period, {with_any} "
        f"({_pct(with_any, total)}) had at least one breach; {all_breaches} breaches in all "
        "since they began. Restrictions by number of breaches — "
        + ", ".join(f"{'none' if lab == '0' else lab}: {v}" for lab, v in buckets.items())
        + "."
    )
    return Chart(title, fig, summary)


def contacts_before_after(rows: pd.DataFrame) -> Chart:
    title = "Contacts before and after a restriction (per customer)"
    fig = _figure(title)
    n = int(rows["restrictions"].iloc[0]) if not rows.empty else 0
    if n == 0:
        return Chart(
            title,
            _empty(fig, "No restriction begun in the period has 90 days behind it yet"),
            "No restriction begun in the period has run for 90 days yet.",
        )
    labels = [str(w) for w in rows["window"]]
    values = [round(float(v), 1) for v in rows["average_per_customer"]]
    fig.add_bar(
        x=labels,
        y=values,
        marker_color=[PALETTE[1], PALETTE[0]],
        text=[f"{v:.1f}" for v in values],
        textposition="outside",
    )
    fig.update_layout(yaxis_title="Average contacts per customer", showlegend=False)
    before, after = values[0], values[1]
    change = f"{round(100 * (after - before) / before):+d}%" if before else "no change measurable"
    summary = (
        f"Across {_plural(n, 'restriction')}, customers made {before:.1f} contacts on average "
        f"in the 90 days before and {after:.1f} in the 90 days after ({change})."
    )
    return Chart(title, fig, summary)


# -- equality (§2) -------------------------------------------------------------------------
def equality(rows: pd.DataFrame, *, threshold_points: int = 5) -> Chart:
    """Each recorded-needs group's share of incidents against its share of restrictions.

    A group whose share of restrictions is ``threshold_points`` or more above its share of
    incidents is named in the summary: restrictions may be falling on it disproportionately.
    """
    title = "Restrictions and incidents by recorded needs (share of each)"
    fig = _figure(title, height=400)
    incidents_total = int(rows["incidents"].sum())
    restrictions_total = int(rows["restrictions"].sum())
    if incidents_total == 0 and restrictions_total == 0:
        return Chart(title, _empty(fig, "Nothing in this period"), "Nothing in this period.")
    groups = [str(g) for g in rows["needs_group"]]
    share_i = [
        100 * int(v) / incidents_total if incidents_total else 0.0 for v in rows["incidents"]
    ]
    share_r = [
        100 * int(v) / restrictions_total if restrictions_total else 0.0
        for v in rows["restrictions"]
    ]
    fig.add_bar(
        name="Share of incidents",
        y=groups,
        x=share_i,
        orientation="h",
        marker_color=PALETTE[4],
        text=[f"{round(v)}% ({int(n)})" for v, n in zip(share_i, rows["incidents"], strict=True)],
        textposition="outside",
        cliponaxis=False,
    )
    fig.add_bar(
        name="Share of restrictions",
        y=groups,
        x=share_r,
        orientation="h",
        marker_color=PALETTE[3],
        text=[
            f"{round(v)}% ({int(n)})" for v, n in zip(share_r, rows["restrictions"], strict=True)
        ],
        textposition="outside",
        cliponaxis=False,
    )
    fig.update_layout(barmode="group", xaxis_title="% of the period's total", height=460)
    fig.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)")
    fig.update_xaxes(range=[0, max([*share_i, *share_r, 1.0]) * 1.3])
    flagged = [
        (g, r, i)
        for g, r, i in zip(groups, share_r, share_i, strict=True)
        if restrictions_total and r - i >= threshold_points
    ]
    if flagged:
        summary = "Restrictions fall more heavily than incidents on: " + "; ".join(
            f"{g.lower()} ({round(r)}% of restrictions against {round(i)}% of incidents)"
            for g, r, i in flagged
        )
        summary += ". Check the equality impact assessments for these customers (§2)."
    else:
        summary = (
            "No needs group's share of restrictions is more than "
            f"{threshold_points} points above its share of incidents."
        )
    summary = (
        f"{_plural(incidents_total, 'incident')} and {_plural(restrictions_total, 'restriction')}"
        f" in the period. " + summary
    )
    return Chart(title, fig, summary)


def all_charts(board: Dashboard) -> tuple[Chart, ...]:
    """Every dashboard chart, in page order."""
    return (
        incidents_per_month(board.incidents_by_category, by="category"),
        incidents_per_month(board.incidents_by_channel, by="channel"),
        stage_funnel(board.cases_by_stage),
        restrictions_by_type(board.restrictions_by_type),
        restrictions_by_duration(board.restrictions_by_duration),
        reviews_due(board.reviews),
        appeals(board.appeals),
        appeal_outcomes(board.appeal_outcomes),
        spoc_compliance(board.spoc_compliance),
        breaches(board.breaches),
        contacts_before_after(board.contacts_before_after),
        equality(board.equality),
    )
