"""`flask secrets rotate`: seal every stored secret with the newest DATA_ENCRYPTION_KEYS key."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from trigger import audit
from trigger.extensions import db
from trigger.secrets_at_rest import rotate_all


@click.group("secrets")
def secrets() -> None:
    """Secrets stored in the database (authenticator apps, single sign-on)."""


@secrets.command("rotate")
@with_appcontext
def rotate() -> None:
    """Seal every stored secret again with the first key of DATA_ENCRYPTION_KEYS (then the old key can go)."""
    resealed, unreadable = rotate_all()
    audit.record(
        "secrets.rotated",
        "organisation",
        1,
        f"Stored secrets sealed with the newest key: {resealed} resealed, {unreadable} unreadable",
    )
    db.session.commit()
    click.echo(f"{resealed} secrets sealed with the newest key.")
    if unreadable:
        click.echo(
            f"{unreadable} secrets could not be opened with the configured keys and were left as they are: "
            "add the key they were sealed with to DATA_ENCRYPTION_KEYS and run this again.",
            err=True,
        )
        raise SystemExit(1)
