"""Average cost periods (spec §8.1)."""

from __future__ import annotations

from datetime import date

import pytest

from inventory.periods import average_cost_period


@pytest.mark.parametrize(
    ("period", "day", "expected"),
    [
        ("day", date(2025, 3, 5), (date(2025, 3, 5), date(2025, 3, 5))),
        ("week", date(2025, 3, 5), (date(2025, 3, 3), date(2025, 3, 9))),  # Monday to Sunday
        # the week of 1 January 2026 (a Thursday) is two periods: 29-31 Dec and 1-4 Jan
        ("week", date(2025, 12, 30), (date(2025, 12, 29), date(2025, 12, 31))),
        ("week", date(2026, 1, 2), (date(2026, 1, 1), date(2026, 1, 4))),
        ("month", date(2024, 2, 10), (date(2024, 2, 1), date(2024, 2, 29))),
        ("quarter", date(2025, 8, 15), (date(2025, 7, 1), date(2025, 9, 30))),
        ("year", date(2025, 8, 15), (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_average_cost_period(period, day, expected):
    assert average_cost_period(day, period) == expected


def test_unknown_period():
    with pytest.raises(ValueError, match="unknown average cost period"):
        average_cost_period(date(2025, 1, 1), "fortnight")
