"""Line charts as server-rendered SVG geometry (no JavaScript, no chart library).

``step_chart`` turns dated series into polyline coordinates, axis ticks and markers that
``inventory/_chart.html`` draws. Values stay Decimal; coordinates are rounded to 0.1 px.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from inventory.amounts import ZERO

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 690, 16, 220
PIXEL = Decimal("0.1")


@dataclass(frozen=True)
class Tick:
    position: Decimal
    label: str


@dataclass(frozen=True)
class Series:
    """One line: ``segments`` are polyline point lists (a gap where the value is undefined)."""

    name: str
    css_class: str
    segments: list[str]
    axis: str  # "left" or "right"


@dataclass(frozen=True)
class Marker:
    x: Decimal
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    series: list[Series]
    x_ticks: list[Tick]
    left_ticks: list[Tick]
    right_ticks: list[Tick]
    markers: list[Marker]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM


@dataclass(frozen=True)
class Line:
    """Input of ``step_chart``: (day, value) points; a value of None breaks the line."""

    name: str
    css_class: str
    points: list[tuple[datetime.date, Decimal | None]]
    axis: str = "left"


def nice_ticks(low: Decimal, high: Decimal, count: int = 4) -> list[Decimal]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``low``..``high``."""
    low, high = min(low, ZERO), max(high, ZERO)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    power = Decimal(1).scaleb(raw.adjusted())
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    ticks = [first]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def _label(value: Decimal) -> str:
    shown = value.normalize()
    return format(shown.quantize(1) if shown == shown.to_integral_value() else shown, ",f")


def _x_tick_days(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """The dates (and labels) of the x axis: days for a short history, else months."""
    ticks: list[tuple[datetime.date, str]] = []
    if (end - start).days <= 62:  # a short history: days, about eight of them
        for n in range(0, (end - start).days + 1, max(1, (end - start).days // 8)):
            day = start + datetime.timedelta(days=n)
            ticks.append((day, day.strftime("%d %b")))
    for month in range(0, 12 * 50) if not ticks else ():
        day = datetime.date(start.year + month // 12, month % 12 + 1, 1)
        if day > end:
            break
        if day >= start:
            ticks.append((day, day.strftime("%b %Y" if day.month == 1 else "%b")))
    return ticks


def step_chart(
    *,
    title: str,
    description: str,
    lines: list[Line],
    start: datetime.date,
    end: datetime.date,
    markers: list[tuple[datetime.date, str]],
) -> Chart:
    """Lines as steps (a value holds until the next date) from ``start`` to ``end``."""
    days = Decimal(max((end - start).days, 1))

    def x(day: datetime.date) -> Decimal:
        return (LEFT + (RIGHT - LEFT) * Decimal((day - start).days) / days).quantize(PIXEL)

    axes: dict[str, list[Decimal]] = {}
    for axis in ("left", "right"):
        values = [v for line in lines if line.axis == axis for _, v in line.points if v is not None]
        if values:
            axes[axis] = nice_ticks(min(values), max(values))

    def y(axis: str, value: Decimal) -> Decimal:
        ticks = axes[axis]
        share = (value - ticks[0]) / (ticks[-1] - ticks[0])
        return (BOTTOM - (BOTTOM - TOP) * share).quantize(PIXEL)

    series = []
    for line in lines:
        segments: list[str] = []
        current: list[str] = []
        previous: Decimal | None = None
        for day, value in line.points:
            if value is None:
                if current and previous is not None:
                    current.append(f"{x(day)},{y(line.axis, previous)}")
                    segments.append(" ".join(current))
                current, previous = [], None
                continue
            if previous is not None:
                current.append(f"{x(day)},{y(line.axis, previous)}")
            current.append(f"{x(day)},{y(line.axis, value)}")
            previous = value
        if current and previous is not None:
            current.append(f"{x(end)},{y(line.axis, previous)}")
            segments.append(" ".join(current))
        series.append(Series(line.name, line.css_class, segments, line.axis))

    def y_ticks(axis: str) -> list[Tick]:
        return [Tick(y(axis, t), _label(t)) for t in axes.get(axis, [])]

    x_ticks = [Tick(x(day), label) for day, label in _x_tick_days(start, end)]
    step = max(1, len(x_ticks) // 8)  # at most about eight labels
    return Chart(
        title=title,
        description=description,
        series=series,
        x_ticks=x_ticks[::step],
        left_ticks=y_ticks("left"),
        right_ticks=y_ticks("right"),
        markers=[Marker(x(day), label) for day, label in markers if start <= day <= end],
    )
