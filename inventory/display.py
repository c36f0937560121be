"""Decimals as text, exactly and without any float: the one place for how numbers are shown.

Values are stored already rounded (COSTING-SPEC §0.2); these functions only choose how many
decimals to show. ``format_decimal`` shows at least ``min_places``, more when the value really has
them (a unit cost of 11.33333 keeps its five decimals, an amount of 170.00000 shows as 170.00);
``plain_number`` strips trailing zeros (files, formulas). Shown numbers use the active language's
separators (``1,234.50`` in English, ``1.234,50`` in Dutch), which ``inventory.numbers`` reads
back; ``plain_number`` is language-neutral. The template filters of
``inventory/templatetags/amounts.py`` call these functions.
"""

from __future__ import annotations

import decimal
from decimal import Decimal, InvalidOperation

from inventory.numbers import separators

# normalize() in a context wide enough never to round a stored or computed value
_NORMALIZE = decimal.Context(prec=60)


def format_decimal(value: object, *, min_places: int, grouping: bool) -> str:
    """At least ``min_places`` decimals, more when the value has them; never "-0.00"."""
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


def amount(value: object) -> str:
    """``170.00000`` -> ``170.00``; ``1234.5`` -> ``1,234.50``."""
    return format_decimal(value, min_places=2, grouping=True)


def unit_cost(value: object) -> str:
    """``11.3333300000`` -> ``11.33333``; ``14`` -> ``14.00``."""
    return format_decimal(value, min_places=2, grouping=True)


def quantity(value: object) -> str:
    """``15.00000`` -> ``15``; ``2.50000`` -> ``2.5``."""
    return format_decimal(value, min_places=0, grouping=True)


def plain_decimal(value: object, min_places: int = 2) -> str:
    """For input values: no thousands separator, ``170.00000`` -> ``170.00``."""
    return format_decimal(value, min_places=int(min_places), grouping=False)


def plain_number(value: Decimal) -> str:
    """Plain notation, trailing zeros stripped: 100.00000 -> "100", -90.670 -> "-90.67"."""
    if value == 0:
        return "0"
    return format(value.normalize(_NORMALIZE), "f")
