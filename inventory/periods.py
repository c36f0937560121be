"""Average cost periods (COSTING-SPEC §8.1)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from inventory.models import AverageCostPeriod


def average_cost_period(day: date, period: str) -> tuple[date, date]:
    """First and last day of the average cost period containing ``day``."""
    if period == AverageCostPeriod.DAY:
        return day, day
    if period == AverageCostPeriod.WEEK:
        # Monday..Sunday, clipped to the calendar year (a week spanning 1 January is two periods).
        start = max(day - timedelta(days=day.weekday()), date(day.year, 1, 1))
        end = min(day + timedelta(days=6 - day.weekday()), date(day.year, 12, 31))
        return start, end
    if period == AverageCostPeriod.MONTH:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if period == AverageCostPeriod.QUARTER:
        first_month = 3 * ((day.month - 1) // 3) + 1
        last_month = first_month + 2
        return (
            date(day.year, first_month, 1),
            date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
        )
    if period == AverageCostPeriod.YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise ValueError(f"unknown average cost period {period!r}")
