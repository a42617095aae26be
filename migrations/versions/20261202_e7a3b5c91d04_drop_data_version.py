"""drop data version

The page cache is gone (issue 19): pages are built on every request, so nothing reads the data version token any
more, and no transaction should lock its one row. The downgrade brings the table back with a fresh token.

Revision ID: e7a3b5c91d04
Revises: c4e1d2a9f001
Create Date: 2026-12-02 06:45:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a3b5c91d04'
down_revision = 'c4e1d2a9f001'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('data_version')


def downgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_data_version_singleton')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'token': secrets.randbits(62)}])
