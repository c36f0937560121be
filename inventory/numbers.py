"""How every number typed or imported is read: the journal grids, the forms, CSV and XLSX files.

One rule everywhere: plain decimal notation in ASCII digits (``12``, ``-3.5``, ``.25``, ``+4``).
Exponents (``1e2``), digit separators (``1_0``, ``1,000``), other scripts' digits (``١٢``), NaN and
infinities are refused, as are values that do not fit the field they are meant for. The value is
built straight from the text, never through a float.
"""

from __future__ import annotations

import re
from decimal import Decimal

from inventory.amounts import MAX_ABS_VALUE, decimal_places
from inventory.text import shorten

_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_WHOLE = re.compile(r"\+?[0-9]+")

_PLAIN_RULE = "use digits 0-9 and a point for decimals only"
NOT_A_NUMBER = f"Enter a number: {_PLAIN_RULE}."
# The largest entry number a ledger holds (a PostgreSQL integer).
MAX_ENTRY_NO = 2**31 - 1


class NumberError(ValueError):
    """The text is not a number the field accepts; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_decimal(
    text: str, *, max_digits: int | None = None, places: int | None = None
) -> Decimal | None:
    """The decimal written in ``text`` (trimmed); blank -> None.

    ``max_digits`` and ``places`` are the field's: a value with more than ``max_digits - places``
    digits before the point, or with more than ``places`` decimals (trailing zeros do not count),
    is refused. Whatever the field, a value of 10^15 or more is absurd and refused.
    """
    text = text.strip()
    if text == "":
        return None
    if not _PLAIN.fullmatch(text):
        raise NumberError(f"'{shorten(text)}' is not a plain number: {_PLAIN_RULE}.")
    value = Decimal(text)
    limit = MAX_ABS_VALUE
    if max_digits is not None:
        limit = min(limit, Decimal(10) ** (max_digits - (places or 0)))
    if abs(value) >= limit:
        raise NumberError(f"{shorten(text)} is too large (it must be less than {limit:,}).")
    if places is not None and decimal_places(value) > places:
        raise NumberError(f"{shorten(text)} has more than {places} decimals.")
    return value


def parse_whole_number(text: str, *, maximum: int = MAX_ENTRY_NO) -> int | None:
    """A whole number from 0 to ``maximum`` (an entry number by default); blank -> None."""
    text = text.strip()
    if text == "":
        return None
    if not _WHOLE.fullmatch(text):
        raise NumberError(f"'{shorten(text)}' is not a whole number of 0 or more.")
    # Digits beyond the maximum's are too large anyway (and int() of huge text is slow).
    if len(text.lstrip("+0")) > len(str(maximum)) or int(text) > maximum:
        raise NumberError(f"{shorten(text)} is too large (at most {maximum:,}).")
    return int(text)
