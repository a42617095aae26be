"""Shared form pieces: field sizes that match the columns, and choices built from enums."""

from __future__ import annotations

from enum import StrEnum

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
