"""dashboard rollups: incidents per day kept by the database, and each customer's needs group;
indexes for the calendar at scale

The manager dashboard counted 750,000 incidents a year row by row (3.3 s on 1,000,000
incidents). Two small tables now hold the counts per day, kept exact by triggers on every
insert, update and delete of an incident, whatever writes it (services, demo loader, SQL):

- ``incident_daily``: day, team (0 for none), category, channel → incidents
- ``incident_need_daily``: day, team, the customer's needs group → incidents

``customer.needs_group`` is the recorded-needs group of the equality view, set by a trigger
from ``customer.needs``; when it changes, the customer's incidents move to the new group.
The groups are frozen here (a later change of groups is a new migration); a test checks they
match ``ube_core.queries.dashboard.NEEDS_GROUPS``.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_NEEDS = "No needs recorded"
OTHER_NEEDS = "Other needs recorded"
NEEDS_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Mental health", ("%mental%", "%anxiety%", "%depress%", "%bipolar%", "%ptsd%", "%psych%")),
    (
        "Neurodivergence",
        ("%autis%", "%adhd%", "%neurodiverg%", "%asperger%", "%dyslex%", "%tourette%"),
    ),
    ("Learning disability", ("%learning%",)),
    ("Dementia or memory", ("%dementia%", "%memory%")),
    (
        "Sensory or physical",
        ("%hearing%", "%deaf%", "%sight%", "%blind%", "%visual%", "%mobility%", "%wheelchair%"),
    ),
)


INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # An EIA before a restriction began (dashboard exceptions): from the index alone.
    ("ix_eia_case_assessed", "eia", ("case_id", "assessed_on")),
    # The calendar, counted and first pages: each kind of item read in due-date order.
    (
        "ix_case_eia_review",
        "ube_case",
        ("eia_review_due", "closed_on", "team_id", "case_officer_id"),
    ),
    ("ix_restriction_appeal_deadline", "restriction", ("appeal_deadline", "case_id", "number")),
    ("ix_restriction_case_number", "restriction", ("case_id", "number")),
    (
        "ix_restriction_spoc_review",
        "restriction",
        ("ended_on", "spoc_review_due", "end_on", "start_on"),
    ),
    ("ix_appeal_restriction_kind", "appeal", ("restriction_id", "kind")),
)


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def needs_group_sql(column: str) -> str:
    """SQL for the needs group of ``column`` (the first group whose pattern matches)."""
    needs = f"lower(coalesce({column}, ''))"
    whens = [f"WHEN trim({needs}) = '' THEN {_q(NO_NEEDS)}"]
    for name, patterns in NEEDS_GROUPS:
        matches = " OR ".join(f"{needs} LIKE {_q(p)}" for p in patterns)
        whens.append(f"WHEN {matches} THEN {_q(name)}")
    return "CASE " + " ".join(whens) + f" ELSE {_q(OTHER_NEEDS)} END"


def _bump_daily(row: str, sign: str) -> str:
    return (
        "INSERT INTO incident_daily (day, team_key, category, channel, n) "
        f"VALUES ({row}.occurred_on, coalesce({row}.team_id, 0), {row}.category, "
        f"{row}.channel, {sign}1) "
        f"ON CONFLICT (day, team_key, category, channel) DO UPDATE SET n = incident_daily.n {sign} 1"
    )


def _bump_need(row: str, sign: str) -> str:
    return (
        "INSERT INTO incident_need_daily (day, team_key, needs_group, n) "
        f"VALUES ({row}.occurred_on, coalesce({row}.team_id, 0), "
        f"coalesce((SELECT needs_group FROM customer WHERE id = {row}.customer_id), "
        f"{_q(NO_NEEDS)}), {sign}1) "
        f"ON CONFLICT (day, team_key, needs_group) DO UPDATE SET n = incident_need_daily.n {sign} 1"
    )


def _move_need(group: str, sign: str) -> str:
    """Add (or take away) all of the customer's incidents to (from) ``group`` (read through
    ``ix_incident_customer_on``, which the demo loader keeps while it loads)."""
    return (
        "INSERT INTO incident_need_daily (day, team_key, needs_group, n) "
        f"SELECT occurred_on, coalesce(team_id, 0), {group}, {sign}count(*) FROM incident "
        "WHERE customer_id = NEW.id GROUP BY occurred_on, coalesce(team_id, 0) "
        "ON CONFLICT (day, team_key, needs_group) "
        "DO UPDATE SET n = incident_need_daily.n + excluded.n"
    )


ROLLUP_COLUMNS = "occurred_on, team_id, category, channel, customer_id"


def _sqlite_triggers() -> list[str]:
    group = needs_group_sql("NEW.needs")
    set_group = (
        f"UPDATE customer SET needs_group = {group} "
        f"WHERE id = NEW.id AND needs_group IS NOT ({group});"
    )
    return [
        f"CREATE TRIGGER customer_needs_group_ins AFTER INSERT ON customer BEGIN {set_group} END",
        "CREATE TRIGGER customer_needs_group_upd AFTER UPDATE OF needs ON customer "
        f"BEGIN {set_group} END",
        # A new customer (no incidents yet) has nothing to move.
        "CREATE TRIGGER customer_needs_group_move AFTER UPDATE OF needs_group ON customer "
        "WHEN OLD.needs_group IS NOT NEW.needs_group "
        "AND EXISTS (SELECT 1 FROM incident WHERE customer_id = NEW.id) BEGIN "
        f"{_move_need('OLD.needs_group', '-')}; "
        f"{_move_need('NEW.needs_group', '')}; END",
        "CREATE TRIGGER incident_rollup_ins AFTER INSERT ON incident BEGIN "
        f"{_bump_daily('NEW', '+')}; {_bump_need('NEW', '+')}; END",
        "CREATE TRIGGER incident_rollup_del AFTER DELETE ON incident BEGIN "
        f"{_bump_daily('OLD', '-')}; {_bump_need('OLD', '-')}; END",
        f"CREATE TRIGGER incident_rollup_upd AFTER UPDATE OF {ROLLUP_COLUMNS} ON incident BEGIN "
        f"{_bump_daily('OLD', '-')}; {_bump_need('OLD', '-')}; "
        f"{_bump_daily('NEW', '+')}; {_bump_need('NEW', '+')}; END",
    ]


def _postgres_triggers() -> list[str]:
    return [
        "CREATE FUNCTION customer_needs_group() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"NEW.needs_group := {needs_group_sql('NEW.needs')}; RETURN NEW; END $$",
        "CREATE TRIGGER customer_needs_group BEFORE INSERT OR UPDATE OF needs ON customer "
        "FOR EACH ROW EXECUTE FUNCTION customer_needs_group()",
        "CREATE FUNCTION customer_needs_group_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{_move_need('OLD.needs_group', '-')}; "
        f"{_move_need('NEW.needs_group', '')}; RETURN NULL; END $$",
        "CREATE TRIGGER customer_needs_group_move AFTER UPDATE ON customer FOR EACH ROW "
        "WHEN (OLD.needs_group IS DISTINCT FROM NEW.needs_group) "
        "EXECUTE FUNCTION customer_needs_group_move()",
        "CREATE FUNCTION incident_rollup() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
        f"{_bump_daily('OLD', '-')}; {_bump_need('OLD', '-')}; END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        f"{_bump_daily('NEW', '+')}; {_bump_need('NEW', '+')}; END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER incident_rollup AFTER INSERT OR DELETE OR UPDATE OF "
        f"{ROLLUP_COLUMNS} ON incident FOR EACH ROW EXECUTE FUNCTION incident_rollup()",
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "incident_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_key", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "team_key", "category", "channel"),
    )
    op.create_table(
        "incident_need_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team_key", sa.Integer(), nullable=False),
        sa.Column("needs_group", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "team_key", "needs_group"),
    )
    with op.batch_alter_table("customer") as batch:
        batch.add_column(
            sa.Column(
                "needs_group",
                sa.String(length=40),
                nullable=False,
                server_default=NO_NEEDS,
            )
        )
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns))
    # Backfill, then keep up to date.
    op.execute(f"UPDATE customer SET needs_group = {needs_group_sql('needs')}")
    op.execute(
        "INSERT INTO incident_daily (day, team_key, category, channel, n) "
        "SELECT occurred_on, coalesce(team_id, 0), category, channel, count(*) FROM incident "
        "GROUP BY occurred_on, coalesce(team_id, 0), category, channel"
    )
    op.execute(
        "INSERT INTO incident_need_daily (day, team_key, needs_group, n) "
        "SELECT i.occurred_on, coalesce(i.team_id, 0), c.needs_group, count(*) "
        "FROM incident i JOIN customer c ON c.id = i.customer_id "
        "GROUP BY i.occurred_on, coalesce(i.team_id, 0), c.needs_group"
    )
    for statement in _sqlite_triggers() if sqlite else _postgres_triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "customer_needs_group_ins",
            "customer_needs_group_upd",
            "customer_needs_group_move",
            "incident_rollup_ins",
            "incident_rollup_del",
            "incident_rollup_upd",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS incident_rollup ON incident")
        op.execute("DROP TRIGGER IF EXISTS customer_needs_group_move ON customer")
        op.execute("DROP TRIGGER IF EXISTS customer_needs_group ON customer")
        for name in ("incident_rollup", "customer_needs_group_move", "customer_needs_group"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("needs_group")
    op.drop_table("incident_need_daily")
    op.drop_table("incident_daily")
