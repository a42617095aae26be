"""action_tallies: how many actions each agency owns and how many are open, kept by triggers on actions

"My actions" states how many actions an agency owns and how many are open; counting them walked every one of the
agency's actions (the police in the scale-10 data own 21,676, 4,166 open), on every view, and more each year.
Triggers on both databases add a row of changes (+1 / -1 to each count) to action_tallies for every action added,
removed, given to another agency or opened or finished, in the writing transaction; rows are only added, so
writers never wait for one another here, and trigger.action_tallies.compact folds them from the jobs. Filled here
from the actions as they are.

A later migration that rebuilds the actions table on SQLite (batch_alter_table "move and copy") drops these
triggers with the old table and must create them again: tests/actions/test_action_tallies.py fails if it does not.

Revision ID: f3b7a9c2d1e5
Revises: d8e1f4a2b6c3
Create Date: 2026-12-03 17:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f3b7a9c2d1e5"
down_revision = "d8e1f4a2b6c3"
branch_labels = None
depends_on = None

# An action is open in these statuses (trigger.models.actions.OPEN_STATUSES, written out: a migration does not
# import the app; tests/actions/test_action_tallies.py checks every status against a real count).
OPEN = "{row}.status IN ('not-started', 'in-progress')"
OLD_OPEN, NEW_OPEN = OPEN.format(row="OLD"), OPEN.format(row="NEW")

POSTGRESQL_UP = f"""
CREATE FUNCTION action_tallies_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO action_tallies (agency_id, actions, open_actions)
            VALUES (OLD.owner_agency_id, -1, -({OLD_OPEN})::integer);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO action_tallies (agency_id, actions, open_actions)
            VALUES (NEW.owner_agency_id, 1, ({NEW_OPEN})::integer);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER action_tallies_on_insert_or_delete AFTER INSERT OR DELETE ON actions
    FOR EACH ROW EXECUTE FUNCTION action_tallies_follow();
CREATE TRIGGER action_tallies_on_change AFTER UPDATE OF owner_agency_id, status ON actions
    FOR EACH ROW WHEN (OLD.owner_agency_id IS DISTINCT FROM NEW.owner_agency_id
                       OR ({OLD_OPEN}) IS DISTINCT FROM ({NEW_OPEN}))
    EXECUTE FUNCTION action_tallies_follow();
"""

SQLITE_UP = [
    f"""CREATE TRIGGER action_tallies_on_insert AFTER INSERT ON actions
    BEGIN INSERT INTO action_tallies (agency_id, actions, open_actions)
        VALUES (NEW.owner_agency_id, 1, {NEW_OPEN}); END""",
    f"""CREATE TRIGGER action_tallies_on_delete AFTER DELETE ON actions
    BEGIN INSERT INTO action_tallies (agency_id, actions, open_actions)
        VALUES (OLD.owner_agency_id, -1, -({OLD_OPEN})); END""",
    f"""CREATE TRIGGER action_tallies_on_change AFTER UPDATE OF owner_agency_id, status ON actions
    WHEN OLD.owner_agency_id IS NOT NEW.owner_agency_id OR ({OLD_OPEN}) IS NOT ({NEW_OPEN})
    BEGIN INSERT INTO action_tallies (agency_id, actions, open_actions)
        VALUES (OLD.owner_agency_id, -1, -({OLD_OPEN})), (NEW.owner_agency_id, 1, {NEW_OPEN}); END""",
]


def upgrade():
    op.create_table(
        "action_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("open_actions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_action_tallies_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_tallies")),
    )
    op.create_index(
        "ix_action_tallies_agency_id_actions_open_actions", "action_tallies", ["agency_id", "actions", "open_actions"]
    )
    # The triggers first: on PostgreSQL creating them locks out writes to actions until this migration commits,
    # so the count below misses nothing.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_UP)
    else:
        for statement in SQLITE_UP:
            op.execute(statement)
    op.execute(
        "INSERT INTO action_tallies (agency_id, actions, open_actions) "
        f"SELECT owner_agency_id, count(*), sum(CASE WHEN {OPEN.format(row='actions')} THEN 1 ELSE 0 END) "
        "FROM actions GROUP BY owner_agency_id ORDER BY owner_agency_id"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER action_tallies_on_change ON actions")
        op.execute("DROP TRIGGER action_tallies_on_insert_or_delete ON actions")
        op.execute("DROP FUNCTION action_tallies_follow()")
    else:
        for name in ("action_tallies_on_insert", "action_tallies_on_delete", "action_tallies_on_change"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_action_tallies_agency_id_actions_open_actions", table_name="action_tallies")
    op.drop_table("action_tallies")
