"""Horizontal bar charts as data: labels, printed values and bar lengths, drawn as SVG by templates/statistics.

Pure: no Flask, no database. Every value is printed next to its bar and the chart carries a sentence describing
it, so nothing depends on reading lengths or colours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Bar", "BarChart", "bar_chart"]


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as printed next to the bar
    width: float  # 0..1 of the longest bar


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    description: str
    bars: list[Bar] = field(default_factory=list)


def bar_chart(
    title: str, items: Mapping[str, float | None] | Iterable[tuple[str, float | None]], *, unit: str = ""
) -> BarChart:
    """Bars scaled to the largest value; a missing value is a zero-length bar printed as "none"."""
    pairs = list(items.items() if isinstance(items, Mapping) else items)
    top = max((v for _, v in pairs if v), default=0) or 1
    bars = [
        Bar(label, value or 0, "none" if value is None else f"{value:g}{unit}", (value or 0) / top)
        for label, value in pairs
    ]
    description = "; ".join(f"{bar.label}: {bar.shown}" for bar in bars) or "No figures"
    return BarChart(title, f"{title}. {description}.", bars)
