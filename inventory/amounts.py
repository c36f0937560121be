"""The one place where amounts, unit amounts and quantities are rounded (COSTING-SPEC §0.2).

``round_to(x, p)`` is the nearest multiple of ``p`` with halves away from zero. ``Precision``
carries the two precisions of Inventory Setup and gives the spec's ``R`` and ``RU``.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)

# Column scales (spec §0.2 recommendation): amounts 5 decimals, unit costs 10, quantities 5.
AMOUNT_DIGITS, AMOUNT_PLACES = 25, 5
UNIT_DIGITS, UNIT_PLACES = 30, 10
QTY_DIGITS, QTY_PLACES = 25, 5
# A quantity or amount larger than this is absurd and refused at the boundary.
MAX_ABS_VALUE = Decimal(10) ** 15

# 28 significant digits is the spec's minimum; 40 leaves room for quotients of large values.
# A Decimal context belongs to a thread: DefaultContext is the one every thread started from now
# on (request threads, the Adjust Cost worker) begins with; getcontext() is this thread's own.
PRECISION = 40
decimal.DefaultContext.prec = PRECISION
decimal.getcontext().prec = PRECISION


def round_to(value: Decimal, precision: Decimal) -> Decimal:
    """Round to the nearest multiple of ``precision``, halves away from zero."""
    if precision <= 0:
        raise ValueError("precision must be positive")
    return (value / precision).quantize(Decimal(1), rounding=ROUND_HALF_UP) * precision


def decimal_places(value: Decimal) -> int:
    """Number of decimals a value really has (``1.50`` has 1, ``2E+1`` has 0)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def has_more_decimals_than(value: Decimal, precision: Decimal) -> bool:
    """True if ``value`` is not a whole multiple of ``precision``."""
    return value % precision != 0


@dataclass(frozen=True)
class Precision:
    amount: Decimal = Decimal("0.01")
    unit_amount: Decimal = Decimal("0.00001")

    def r(self, value: Decimal) -> Decimal:
        """Spec R(x): round to the Amount Rounding Precision."""
        return round_to(value, self.amount)

    def ru(self, value: Decimal) -> Decimal:
        """Spec RU(x): round to the Unit-Amount Rounding Precision."""
        return round_to(value, self.unit_amount)

    def cost_per_unit(self, amount: Decimal, valued_quantity: Decimal) -> Decimal:
        return self.ru(amount / valued_quantity) if valued_quantity else ZERO

    def cost_at_unit_cost(self, exact_unit_cost: Decimal, quantity: Decimal) -> Decimal:
        """The (unrounded) cost of ``quantity`` at ``RU(exact_unit_cost)`` with the unit cost's
        rounding remainder carried into the amount: RU(u) x q + q x (u - RU(u)) (§3.5.2, §6.3)."""
        unit_cost = self.ru(exact_unit_cost)
        return unit_cost * quantity + quantity * (exact_unit_cost - unit_cost)


@dataclass
class RoundingCarry:
    """Rounds a sequence of shares with R, carrying each share's rounding remainder into the
    next, so the rounded shares add up to the rounded whole (§6.4, §7.3.1)."""

    precision: Precision
    remainder: Decimal = field(default=ZERO)

    def round(self, share: Decimal) -> Decimal:
        carried = share + self.remainder
        rounded = self.precision.r(carried)
        self.remainder = carried - rounded
        return rounded


def allocate_with_carry(
    precision: Precision, total: Decimal, quantities: Iterable[Decimal], whole: Decimal
) -> list[Decimal]:
    """``total`` split over ``quantities`` in proportion to ``whole``, each share rounded with R
    and its remainder carried into the next: R(total x quantity / whole + carried remainder)."""
    carry = RoundingCarry(precision)
    return [carry.round(total * quantity / whole) for quantity in quantities]
