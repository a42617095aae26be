"""secrets sealed at rest: authenticator secrets and single sign-on client secrets

The columns widen to hold Fernet tokens, and every stored secret is sealed with the server's key
(trigger.secrets_at_rest: DATA_ENCRYPTION_KEYS, or the key derived from SECRET_KEY). Downgrading opens them again.
Run inside the application (``flask db upgrade``): the keys come from its settings, never from the database.

Revision ID: a4c8e2f6b1d3
Revises: f3b9c2d4e6a1
Create Date: 2026-12-02 11:40:00

"""

from alembic import op
import sqlalchemy as sa

from trigger.schema_changes import foreign_keys_off_on_sqlite


# revision identifiers, used by Alembic.
revision = "a4c8e2f6b1d3"
down_revision = "f3b9c2d4e6a1"
branch_labels = None
depends_on = None

_USERS = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))
_AGENCIES = sa.table("agencies", sa.column("id", sa.Integer), sa.column("sso_client_secret", sa.Text))


def _convert(change) -> None:
    connection = op.get_bind()
    for table, column in ((_USERS, _USERS.c.totp_secret), (_AGENCIES, _AGENCIES.c.sso_client_secret)):
        rows = connection.execute(sa.select(table.c.id, column).where(column.is_not(None), column != "")).all()
        for row_id, value in rows:
            connection.execute(sa.update(table).where(table.c.id == row_id).values({column.name: change(value)}))


def upgrade():
    with foreign_keys_off_on_sqlite(op):
        with op.batch_alter_table("users") as batch:
            batch.alter_column(
                "totp_secret", existing_type=sa.String(length=64), type_=sa.String(length=255), existing_nullable=True
            )
        with op.batch_alter_table("agencies") as batch:
            batch.alter_column(
                "sso_client_secret",
                existing_type=sa.String(length=500),
                type_=sa.Text(),
                existing_nullable=False,
                existing_server_default="",
            )
    from trigger.secrets_at_rest import seal

    _convert(seal)


def downgrade():
    from trigger.secrets_at_rest import reveal

    _convert(reveal)
    with foreign_keys_off_on_sqlite(op):
        with op.batch_alter_table("agencies") as batch:
            batch.alter_column(
                "sso_client_secret",
                existing_type=sa.Text(),
                type_=sa.String(length=500),
                existing_nullable=False,
                existing_server_default="",
            )
        with op.batch_alter_table("users") as batch:
            batch.alter_column(
                "totp_secret", existing_type=sa.String(length=255), type_=sa.String(length=64), existing_nullable=True
            )
