"""What a person asked the statistics for: an area (or all) and a financial year or a date range.

Read from the query string (the page's form is a GET: asking for figures changes nothing) or from the CLI's
options. Every problem is collected with the name of the input at fault, so the page can show a GOV.UK error
summary and the CLI a clear message; nothing here raises for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from trigger.domain import statistics as rules
from trigger.domain.limits import OutOfRange, database_id
from trigger.models import Area
from trigger.statistics import services

#: Longer ranges are refused: nobody publishes a decade at once, and the report reads every event in it.
MAX_YEARS = 10


@dataclass
class Selection:
    kind: str = "year"  # "year" or "range"
    year: int | None = None
    area: Area | None = None
    period: rules.Period | None = None
    raw: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (input id, message)

    @property
    def ok(self) -> bool:
        return not self.errors and self.period is not None

    def error_for(self, name: str) -> str | None:
        return next((message for key, message in self.errors if key == name), None)

    def query_args(self) -> dict[str, str]:
        """The selection as query-string arguments, for the export links."""
        args = {"area": str(self.area.id) if self.area is not None else "all", "period": self.kind}
        if self.kind == "year":
            args["year"] = str(self.year)
        else:
            for prefix in ("from", "to"):
                for part in ("day", "month", "year"):
                    args[f"{prefix}-{part}"] = self.raw.get(f"{prefix}-{part}", "")
        return args


def check_length(period: rules.Period) -> None:
    if period.end > date(period.start.year + MAX_YEARS, period.start.month, 1):
        raise rules.PeriodError("to", f"The date range must be {MAX_YEARS} years or shorter")


def from_args(args: Mapping[str, str], today: date) -> Selection:
    raw = {
        key: (args.get(key) or "").strip()[:20]
        for key in ("area", "period", "year", "from-day", "from-month", "from-year", "to-day", "to-month", "to-year")
    }
    selection = Selection(raw=raw)
    area = raw["area"]
    if area and area != "all":
        try:
            area_id = database_id(area)  # None for a non-number, OutOfRange beyond the database's integers
            if area_id is None:
                raise ValueError(area)
            selection.area = services.area_by_id(area_id)
        except (ValueError, OutOfRange, services.UnknownArea):
            selection.errors.append(("area", "Choose an area from the list"))
    selection.kind = "range" if raw["period"] == "range" else "year"
    if selection.kind == "year":
        offered = services.years_offered(today)
        try:
            selection.year = int(raw["year"]) if raw["year"] else offered[0]
            if not 2000 <= selection.year <= 2100:
                raise ValueError
            selection.period = rules.financial_year(selection.year)
        except ValueError:
            selection.errors.append(("year", "Choose a financial year from the list"))
        return selection
    start = end = None
    try:
        start = rules.parse_date_parts("from-day", "start date", raw["from-day"], raw["from-month"], raw["from-year"])
    except rules.PeriodError as error:
        selection.errors.append((error.field, error.message))
    try:
        end = rules.parse_date_parts("to-day", "end date", raw["to-day"], raw["to-month"], raw["to-year"])
    except rules.PeriodError as error:
        selection.errors.append((error.field, error.message))
    if start is not None and end is not None:
        try:
            period = rules.Period(start, end)
            check_length(period)
            selection.period = period
        except rules.PeriodError as error:
            selection.errors.append(("to-day", error.message))
    return selection
