"""Display of Decimals in the revaluation pages, without any float conversion.

Values are stored already rounded (COSTING-SPEC §0.2); these filters only choose how many
decimals to show: at least ``min_places``, more when the value really has them (a unit cost of
11.33333 keeps its five decimals, an amount of 170.00000 shows as 170.00). The separators are the
active language's (``1,234.50`` in English, ``1.234,50`` in Dutch); ``inventory.numbers`` reads
them back.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from inventory.numbers import separators

register = template.Library()


def format_decimal(value, *, min_places: int, grouping: bool) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        raise TypeError("Amounts are Decimals; a float reached the template.")
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            return str(value)
    if not value.is_finite():
        return str(value)
    exponent = value.normalize().as_tuple().exponent
    places = max(min_places, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    shown = value.quantize(Decimal(1).scaleb(-places))
    if shown == 0:
        shown = abs(shown)  # never "-0.00"
    text = format(shown, ",f" if grouping else "f")
    point, group = separators()
    if (point, group) == (".", ","):
        return text
    return text.replace(",", "\0").replace(".", point).replace("\0", group)


@register.filter
def amount(value) -> str:
    """``170.00000`` -> ``170.00``; ``1234.5`` -> ``1,234.50``."""
    return format_decimal(value, min_places=2, grouping=True)


@register.filter
def unit_cost(value) -> str:
    """``11.3333300000`` -> ``11.33333``; ``14`` -> ``14.00``."""
    return format_decimal(value, min_places=2, grouping=True)


@register.filter
def quantity(value) -> str:
    """``15.00000`` -> ``15``; ``2.50000`` -> ``2.5``."""
    return format_decimal(value, min_places=0, grouping=True)


@register.filter
def plain_decimal(value, min_places: int = 2) -> str:
    """For input values: no thousands separator, ``170.00000`` -> ``170.00``."""
    return format_decimal(value, min_places=int(min_places), grouping=False)
