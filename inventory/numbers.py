"""How every number typed or imported is read: the journal grids, the forms, CSV and XLSX files.

One rule everywhere: plain decimal notation in ASCII digits (``12``, ``-3.5``, ``.25``, ``+4``).
Exponents (``1e2``), digit separators (``1_0``, ``1,000``), other scripts' digits (``١٢``), NaN and
infinities are refused, as are values that do not fit the field they are meant for. The value is
built straight from the text, never through a float.

What a person types in the browser is read with ``localized=True``: the active language's
decimal separator and, optionally, its thousands separator in groups of three (``1,234.56`` in
English, ``1.234,56`` in Dutch). The other separator is refused, never guessed: ``12.50`` typed
in Dutch is not silently 1250. Files and commands stay plain (machine formats).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.amounts import MAX_ABS_VALUE, decimal_places
from inventory.text import shorten

_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_WHOLE = re.compile(r"\+?[0-9]+")

NOT_A_NUMBER = gettext_lazy("Enter a number: use digits 0-9 and a point for decimals only.")
# The largest entry number a ledger holds (a PostgreSQL integer).
MAX_ENTRY_NO = 2**31 - 1


class NumberError(ValueError):
    """The text is not a number the field accepts; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def separators() -> tuple[str, str]:
    """The active language's decimal and thousands separators (``","`` and ``"."`` in Dutch)."""
    return (
        str(formats.get_format("DECIMAL_SEPARATOR", use_l10n=True)),
        str(formats.get_format("THOUSAND_SEPARATOR", use_l10n=True)),
    )


def localize_plain(text: str) -> str:
    """A plain number (``1234.5``) as typed in the active language (``1234,5`` in Dutch)."""
    return text.replace(".", separators()[0])


def _delocalize(text: str) -> str:
    """``text`` in the active language's notation, rewritten as a plain number (or refused)."""
    point, group = separators()
    d, g = re.escape(point), re.escape(group)
    grouped = rf"[+-]?[0-9]{{1,3}}(?:{g}[0-9]{{3}})+(?:{d}[0-9]*)?"
    plain = rf"[+-]?(?:[0-9]+(?:{d}[0-9]*)?|{d}[0-9]+)"
    if not (re.fullmatch(grouped, text) or re.fullmatch(plain, text)):
        raise NumberError(
            _(
                "'%(text)s' is not a plain number: use digits 0-9, '%(point)s' for decimals"
                " and '%(group)s' only between groups of three digits (%(example)s)."
            )
            % {
                "text": shorten(text),
                "point": point,
                "group": group,
                "example": f"1{group}234{point}56",
            }
        )
    return text.replace(group, "").replace(point, ".")


def parse_decimal(
    text: str, *, max_digits: int | None = None, places: int | None = None, localized: bool = False
) -> Decimal | None:
    """The decimal written in ``text`` (trimmed); blank -> None.

    ``max_digits`` and ``places`` are the field's: a value with more than ``max_digits - places``
    digits before the point, or with more than ``places`` decimals (trailing zeros do not count),
    is refused. Whatever the field, a value of 10^15 or more is absurd and refused.
    ``localized``: typed by a person in the active language (see the module's docstring).
    """
    text = text.strip()
    if text == "":
        return None
    shown = shorten(text)
    if localized:
        text = _delocalize(text)
    elif not _PLAIN.fullmatch(text):
        raise NumberError(
            _("'%(text)s' is not a plain number: use digits 0-9 and a point for decimals only.")
            % {"text": shown}
        )
    value = Decimal(text)
    limit = MAX_ABS_VALUE
    if max_digits is not None:
        limit = min(limit, Decimal(10) ** (max_digits - (places or 0)))
    if abs(value) >= limit:
        raise NumberError(
            _("%(text)s is too large (it must be less than %(limit)s).")
            % {"text": shown, "limit": formats.number_format(limit, force_grouping=True)}
        )
    if places is not None and decimal_places(value) > places:
        raise NumberError(
            _("%(text)s has more than %(places)s decimals.") % {"text": shown, "places": places}
        )
    return value


def parse_whole_number(text: str, *, maximum: int = MAX_ENTRY_NO) -> int | None:
    """A whole number from 0 to ``maximum`` (an entry number by default); blank -> None."""
    text = text.strip()
    if text == "":
        return None
    if not _WHOLE.fullmatch(text):
        raise NumberError(
            _("'%(text)s' is not a whole number of 0 or more.") % {"text": shorten(text)}
        )
    # Digits beyond the maximum's are too large anyway (and int() of huge text is slow).
    if len(text.lstrip("+0")) > len(str(maximum)) or int(text) > maximum:
        raise NumberError(
            _("%(text)s is too large (at most %(maximum)s).")
            % {
                "text": shorten(text),
                "maximum": formats.number_format(maximum, force_grouping=True),
            }
        )
    return int(text)
