"""`flask demo load [--scale N] [--seed S]`: the fictional demo county (county.py), one case at every stage
(stories.py), the restorative pathway (restorative.py), or a large generated data set (scale.py)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from trigger.extensions import db

demo = AppGroup("demo", help="Demonstration data for trying the product.")


@demo.command("load")
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Also generate a large data set: N=1 is 1,000 cases, N=10 is 10,000 (see trigger/demo/scale.py).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same generated people and stories.")
def demo_load(scale: float | None, seed: int) -> None:
    """Fill an empty database with a fictional county: six areas, its agencies and a dozen users."""
    from trigger.demo.county import DemoRefused, load_demo

    profile = current_app.config["TRIGGER_SETTINGS"].password_hash_profile
    try:
        accounts = load_demo(profile)
        if not scale:  # one case at every stage (trigger/demo/stories.py); the scale set makes its own
            from trigger.demo.stories import load_stories

            load_stories()
        db.session.commit()
    except DemoRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    click.echo("Demo data loaded. These passwords are shown once only - keep them somewhere safe:\n")
    width = max(len(a.email) for a in accounts) if accounts else 0
    for account in accounts:
        click.echo(f"  {account.email:<{width}}  {account.password}  ({account.role.label}: {account.name})")
    if not scale:  # the scale data set keeps exact counts of its own; the small county shows the RJ pathway
        from trigger.demo.restorative import load_restorative_demo

        added = load_restorative_demo()
        db.session.commit()
        click.echo(f"\n{added} cases on the restorative justice pathway, one at each step.")
    click.echo(
        "\nThese accounts sign in with the password alone: two-factor authentication is switched off in the "
        "demo.\nTo turn it on, sign in as the administrator and tick the roles under Administration > "
        'Organisation settings\n("Roles that must sign in with two-factor authentication"); people in '
        "those roles set up an\nauthenticator app at their next sign-in."
    )
    if scale:
        from trigger.demo.scale import load_scale

        click.echo(f"\nGenerating the scale {scale:g} data set (seed {seed}):")
        report = load_scale(scale, seed=seed, echo=click.echo)
        for table, count in report.counts.items():
            click.echo(f"  {table:<26} {count:>9,}")
        click.echo(f"Done in {report.seconds:.1f} s.")
    click.echo(f"\nSign in at {current_app.config['TRIGGER_SETTINGS'].public_url}/login")
