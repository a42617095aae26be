"""audit hash chain and append-only trigger

Each audit event gets its place in a hash chain (seq, prev_hash, hash; empty until sealed, see
trigger/audit_chain.py), the chain's end is kept in audit_chain_head, and a trigger on both databases refuses
UPDATE and DELETE on audit_events except the one update that seals an unsealed row without changing its content.
Existing events stay unsealed: the first `flask audit seal` (or `flask outbox send`, or `flask audit verify`)
seals them in id order.

Revision ID: ae5c0a1d7b10
Revises: e18a7c3d5b20
Create Date: 2026-12-02 06:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "ae5c0a1d7b10"
down_revision = "e18a7c3d5b20"
branch_labels = None
depends_on = None

# The columns a seal must leave as they were (everything but seq, prev_hash and hash).
CONTENT = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "summary",
    "details",
    "ip_address",
)
MESSAGE = "audit_events is append-only: rows cannot be changed or deleted"

POSTGRESQL_UP = f"""
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL
       AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
       AND ({", ".join("NEW." + c + ("::text" if c == "details" else "") for c in CONTENT)})
           IS NOT DISTINCT FROM ({", ".join("OLD." + c + ("::text" if c == "details" else "") for c in CONTENT)}) THEN
        RETURN NEW;  -- the seal
    END IF;
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""

SQLITE_UP = [
    f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    WHEN NOT (OLD.seq IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL
              AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
              AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]


def upgrade():
    op.add_column("audit_events", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("audit_events", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_events", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_audit_events_unsealed"),
        "audit_events",
        ["id"],
        unique=False,
        sqlite_where=sa.text("seq IS NULL"),
        postgresql_where=sa.text("seq IS NULL"),
    )
    op.create_index(op.f("ix_audit_events_seq"), "audit_events", ["seq"], unique=True)
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_singleton")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_UP)
    else:
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    op.drop_table("audit_chain_head")
    op.drop_index(op.f("ix_audit_events_seq"), table_name="audit_events")
    op.drop_index(
        op.f("ix_audit_events_unsealed"),
        table_name="audit_events",
        sqlite_where=sa.text("seq IS NULL"),
        postgresql_where=sa.text("seq IS NULL"),
    )
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
