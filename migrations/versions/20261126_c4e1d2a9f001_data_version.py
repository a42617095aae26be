"""data version

One row whose token every transaction that changes what a page can show replaces (trigger.page_cache): the
rendered-page cache serves a page again only while the token is the one it was rendered under.

Revision ID: c4e1d2a9f001
Revises: b2d1ef6f8c02
Create Date: 2026-11-26 02:00:00

"""

import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c4e1d2a9f001"
down_revision = "b2d1ef6f8c02"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_version_singleton")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "token": secrets.randbits(62)}])


def downgrade():
    op.drop_table("data_version")
