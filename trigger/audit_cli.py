"""`flask audit seal` and `flask audit verify`: the audit trail's hash chain (trigger.audit_chain)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from trigger.extensions import db

audit = AppGroup("audit", help="The audit trail's hash chain.")


@audit.command("seal")
def seal_command() -> None:
    """Add every committed event not yet in the chain to it (also done by `flask outbox send`)."""
    from trigger.audit_chain import ChainBroken, seal

    started = time.perf_counter()
    try:
        sealed = seal(db.session)
    except ChainBroken as broken:
        raise click.ClickException(f"audit chain broken: {broken}; run `flask audit verify`") from None
    click.echo(f"Sealed {sealed:,} audit event{'' if sealed == 1 else 's'} in {time.perf_counter() - started:.1f} s.")


@audit.command("verify")
def verify_command() -> None:
    """Seal what is unsealed, then check every entry's hash and link; exit 1 naming the first that does not match."""
    from trigger.audit_chain import verify

    verdict = verify(db.session)
    db.session.rollback()
    if not verdict.ok:
        click.echo(f"audit chain broken after {verdict.events} good entries: {verdict.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain ok: {verdict.events} events")
    if verdict.unsealed:
        click.echo(f"({verdict.unsealed} newer events were written during the check; the next seal adds them)")
