"""Command-line tools: `flask demo load`, `flask outbox send`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from trigger.extensions import db

demo = AppGroup("demo", help="Demonstration data for trying the product.")


@demo.command("load")
def demo_load() -> None:
    """Fill an empty database with a fictional county: six areas, its agencies and a dozen users."""
    from trigger.demo import DemoRefused, load_demo

    profile = current_app.config["TRIGGER_SETTINGS"].password_hash_profile
    try:
        accounts = load_demo(profile)
        db.session.commit()
    except DemoRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    click.echo("Demo data loaded. These passwords are shown once only - keep them somewhere safe:\n")
    width = max(len(a.email) for a in accounts) if accounts else 0
    for account in accounts:
        click.echo(f"  {account.email:<{width}}  {account.password}  ({account.role.label}: {account.name})")
    click.echo("\nSign in at http://127.0.0.1:5000/login")


def init_app(app: Flask) -> None:
    from trigger.notifications.cli import outbox

    app.cli.add_command(demo)
    app.cli.add_command(outbox)
