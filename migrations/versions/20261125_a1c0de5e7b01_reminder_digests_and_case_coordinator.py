"""reminder digests and case coordinator

Sent reminders (one row per item, due date and rung) and the coordinator assigned to a case. Owned by the deadlines work.

Revision ID: a1c0de5e7b01
Revises: 9ed062b72303
Create Date: 2026-11-25 18:10:00

"""

from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


@contextmanager
def _foreign_keys_off_on_sqlite():
    """SQLite rebuilds `cases` to add a foreign key (batch mode): dropping the old table with foreign keys on
    (trigger.extensions turns them on) would cascade-delete every case's deadlines, plans, meetings... So they are
    turned off for the rebuild, and if SQLite ignores that (inside a transaction) on a database with cases, stop."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    op.execute("PRAGMA foreign_keys=OFF")
    if (
        bind.exec_driver_sql("PRAGMA foreign_keys").scalar()
        and bind.exec_driver_sql("SELECT count(*) FROM cases").scalar()
    ):
        raise RuntimeError(
            "SQLite could not turn foreign keys off to rebuild the cases table: run this migration "
            "on its own (flask db upgrade a1c0de5e7b01) so that no case data is lost."
        )
    try:
        yield
    finally:
        op.execute("PRAGMA foreign_keys=ON")


# revision identifiers, used by Alembic.
revision = "a1c0de5e7b01"
down_revision = "9ed062b72303"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("rung_key", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("item_kind IN ('deadline', 'action')", name=op.f("ck_sent_reminders_item_kind_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_reminders")),
        sa.UniqueConstraint("item_kind", "item_id", "due_on", "rung_key", name="uq_sent_reminders_item_due_rung"),
    )
    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_reminders_run_id"), ["run_id"], unique=False)

    with _foreign_keys_off_on_sqlite():
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.add_column(sa.Column("coordinator_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f("ix_cases_coordinator_id"), ["coordinator_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f("fk_cases_coordinator_id_users"), "users", ["coordinator_id"], ["id"], ondelete="SET NULL"
            )


def downgrade():
    with _foreign_keys_off_on_sqlite():
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("fk_cases_coordinator_id_users"), type_="foreignkey")
            batch_op.drop_index(batch_op.f("ix_cases_coordinator_id"))
            batch_op.drop_column("coordinator_id")

    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_reminders_run_id"))
    op.drop_table("sent_reminders")
