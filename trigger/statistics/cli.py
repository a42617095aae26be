"""`flask statistics`: the four statutory figures per area as CSV on standard output, for scripts.

    flask statistics --from 2026-04-01 --to 2027-03-31 [--area NAME] --format csv

The header is exactly ``area,applications,threshold_not_met,reviews,reviews_with_recommendations``; one row per
area (by name), then ``All areas``. No byte order mark (a script reads it, not a spreadsheet), cells escaped as
in every export. A bad date or an unknown area: a message on standard error and exit status 2 (usage) or 1.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import click

from trigger.domain.csv_safety import safe_row
from trigger.domain.statistics import PUBLICATION_HEADER, Period, PeriodError


def _iso_date(ctx, param, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"“{value}” is not a date: write it as YYYY-MM-DD, like 2026-04-01.") from None


@click.command("statistics")
@click.option(
    "--from",
    "start",
    required=True,
    callback=_iso_date,
    metavar="YYYY-MM-DD",
    help="First day counted (e.g. 2026-04-01).",
)
@click.option(
    "--to", "end", required=True, callback=_iso_date, metavar="YYYY-MM-DD", help="Last day counted (e.g. 2027-03-31)."
)
@click.option("--area", default=None, metavar="NAME", help="One area only (its name as in Administration).")
@click.option("--format", "output_format", type=click.Choice(["csv"]), default="csv", show_default=True)
def statistics_command(start: date, end: date, area: str | None, output_format: str) -> None:
    """Print the statutory figures (applications, threshold not met, reviews, reviews with recommendations)."""
    from trigger.statistics import services
    from trigger.statistics.selection import check_length

    try:
        period = Period(start, end)
        check_length(period)
    except PeriodError as error:
        raise click.BadParameter(f"{error.message} (--from {start}, --to {end}).", param_hint="--to") from None
    try:
        chosen = services.area_named(area) if area is not None else None
    except services.UnknownArea as error:
        names = ", ".join(a.name for a in services.all_areas()) or "none"
        raise click.ClickException(f"{error} Areas: {names}.") from None
    rows, total = services.statutory_figures(period, chosen)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PUBLICATION_HEADER)
    for row in services.publication_rows(rows, total):
        writer.writerow(safe_row(row))
    click.echo(buffer.getvalue(), nl=False)
