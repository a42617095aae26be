"""invitations, password resets, authenticator-app two-factor, passkeys and single sign-on

Single-use emailed links (invitation / password reset, stored as SHA-256), hashed recovery codes, the
authenticator secret and last used time step on users, and the roles that must use two-factor on the
organisation (secure by default: administrators, coordinators and chairs); passkeys (WebAuthn public keys); per-agency OpenID Connect settings and whether local passwords are allowed.

Revision ID: f3b9c2d4e6a1
Revises: f1b2c3d4e5a6
Create Date: 2026-12-02 07:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f3b9c2d4e6a1"
down_revision = "f1b2c3d4e5a6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "invitation",
                "password-reset",
                name="link_purpose",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sign_in_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_sign_in_links_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_links_token_hash")),
    )
    op.create_index(op.f("ix_sign_in_links_user_id"), "sign_in_links", ["user_id"], unique=False)
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"], unique=False)
    op.create_table(
        "passkeys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=700), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_passkeys_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkeys")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_passkeys_credential_id")),
    )
    op.create_index(op.f("ix_passkeys_user_id"), "passkeys", ["user_id"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("totp_enrolled_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("sso_issuer", sa.String(length=300), nullable=False, server_default=""))
        batch.add_column(sa.Column("sso_client_id", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("sso_client_secret", sa.String(length=500), nullable=False, server_default=""))
        batch.add_column(sa.Column("sso_email_domains", sa.String(length=500), nullable=False, server_default=""))
        batch.add_column(sa.Column("sso_provider_name", sa.String(length=80), nullable=False, server_default=""))
        batch.add_column(sa.Column("local_passwords", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column(
                "two_factor_roles",
                sa.String(length=200),
                nullable=False,
                server_default="administrator,coordinator,chair",
            )
        )


def downgrade():
    with op.batch_alter_table("agencies") as batch:
        for column in (
            "local_passwords",
            "sso_provider_name",
            "sso_email_domains",
            "sso_client_secret",
            "sso_client_id",
            "sso_issuer",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("two_factor_roles")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_enrolled_at")
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
    op.drop_index(op.f("ix_passkeys_user_id"), table_name="passkeys")
    op.drop_table("passkeys")
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_index(op.f("ix_sign_in_links_user_id"), table_name="sign_in_links")
    op.drop_table("sign_in_links")
