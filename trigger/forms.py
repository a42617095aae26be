"""Shared form pieces: field sizes that match the columns, and choices built from enums."""

from __future__ import annotations

from enum import StrEnum

from werkzeug.datastructures import MultiDict
from wtforms import DateField, TimeField
from wtforms.utils import unset_value
from wtforms.validators import Length


def max_length(limit: int, what: str) -> Length:
    return Length(max=limit, message=f"{what} must be {limit} characters or fewer")


def enum_choices(enum_cls: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in enum_cls]  # type: ignore[attr-defined]


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class FieldError(Exception):
    """A business rule a service refused, to be shown next to the named form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def attach_error(form, error: FieldError) -> None:
    getattr(form, error.field).errors.append(error.message)


class DateInput(DateField):
    """A date from <input type="date"> (YYYY-MM-DD). Blank is None, not an error: validators decide."""

    def __init__(self, label=None, validators=None, invalid="Enter a real date", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()[:10]])
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None


class DayMonthYearInput(DateInput):
    """The GOV.UK date input: three boxes named <name>-day, <name>-month and <name>-year (the macro
    day_month_year renders them). A single YYYY-MM-DD value under <name> is still accepted (API clients, tests)."""

    parts: tuple[str, str, str] = ("", "", "")

    def process(self, formdata, data=unset_value, extra_filters=None):
        if formdata is not None:
            parts = tuple((formdata.get(f"{self.name}-{part}") or "").strip()[:4] for part in ("day", "month", "year"))
            if any(parts) and not (formdata.get(self.name) or "").strip():
                self.parts = parts
                day, month, year = parts
                whole = all(p.isdigit() for p in parts) and len(year) == 4
                iso = f"{year}-{month.zfill(2)}-{day.zfill(2)}" if whole else "not a date"
                formdata = MultiDict(formdata)
                formdata.setlist(self.name, [iso])
        super().process(formdata, data, extra_filters)


class TimeInput(TimeField):
    """<input type="time"> (HH:MM), with a GOV.UK message for anything else. Blank is None."""

    def __init__(self, label=None, validators=None, invalid="Enter a time in the 24-hour clock, like 14:30", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()[:5]])
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None
