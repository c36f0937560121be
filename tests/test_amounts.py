"""Rounding helpers of inventory.amounts: the carry of rounding remainders."""

from __future__ import annotations

from decimal import Decimal as D

from inventory.amounts import Precision, RoundingCarry, allocate_with_carry


def test_allocate_with_carry_passes_each_remainder_on():
    # 10 / 3 = 3.333..: 3.33 (carry +0.00333..), 3.34 (carry -0.00333..), 3.33
    shares = allocate_with_carry(Precision(), D(10), [D(1), D(1), D(1)], D(3))
    assert shares == [D("3.33"), D("3.34"), D("3.33")]
    assert sum(shares) == D(10)


def test_rounding_carry_rounds_shares_as_they_come():
    carry = RoundingCarry(Precision())
    assert carry.round(D("0.005")) == D("0.01")  # half away from zero; carry -0.005
    assert carry.round(D("0.004")) == D("0.00")  # 0.004 - 0.005 = -0.001
    assert carry.remainder == D("-0.001")


def test_cost_at_unit_cost_keeps_the_unit_cost_remainder():
    # RU(1.234567) = 1.23457: 1.23457 x 3 + 3 x (1.234567 - 1.23457) = 3.703701 = 3 x 1.234567
    assert Precision().cost_at_unit_cost(D("1.234567"), D(3)) == D("3.703701")
