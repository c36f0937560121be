"""Rules for text that users type or import: codes, batch names, and input quoted in messages.

* Codes (item numbers, location and variant codes) may not contain control or format characters:
  an ANSI escape in an item number would reach every terminal that prints it.
* Batch names (revaluation and item journal batches) become part of page addresses: capital
  letters A-Z, digits, ``-`` and ``_``, beginning with a letter or digit. A batch stored under
  another name before this rule existed stays reachable: ``BatchNameConverter`` writes such a name
  into an address as ``~`` and its UTF-8 bytes in hex.
* A message that repeats what the user typed repeats at most ``SHORT`` characters of it.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

SHORT = 50

BATCH_NAME_MAX_LENGTH = 20
BATCH_NAME_PATTERN = r"[A-Z0-9][A-Z0-9_-]*"
BATCH_NAME_RULE = (
    f"Use 1 to {BATCH_NAME_MAX_LENGTH} capital letters A-Z, digits, '-' or '_', "
    "beginning with a letter or digit."
)
_BATCH_NAME = re.compile(BATCH_NAME_PATTERN)


def shorten(text: str, length: int = SHORT) -> str:
    """``text`` cut to ``length`` characters, with '…' when it was longer."""
    return text if len(text) <= length else text[:length] + "…"


def control_character(text: str) -> str | None:
    """The first control or format character of ``text`` as ``U+001B``, or None."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return f"U+{ord(char):04X}"
    return None


def validate_code(value: str) -> None:
    """Django validator for codes: no control characters (and so no ANSI escapes)."""
    char = control_character(value)
    if char:
        raise ValidationError(
            "Codes cannot contain control characters (found %(char)s).",
            code="control_character",
            params={"char": char},
        )


def normalize_batch_name(name: str) -> str:
    """Batch names are codes: trimmed and upper case, as Business Central keeps them."""
    return name.strip().upper()


def batch_name_problem(name: str) -> str | None:
    """Why ``name`` (already normalised) is not a valid batch name, or None if it is."""
    if not name:
        return "Name must have a value."
    if len(name) > BATCH_NAME_MAX_LENGTH or not _BATCH_NAME.fullmatch(name):
        return f"'{shorten(name)}' is not a valid batch name. {BATCH_NAME_RULE}"
    return None


def validate_batch_name(value: str) -> None:
    """Django validator of the batch name fields (the admin and model forms use it)."""
    problem = batch_name_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_batch_name")


class BatchNameConverter:
    """URL converter ``<batch:batch_name>``: valid names as they are, others as ``~`` + hex."""

    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        if not value.startswith("~"):
            return value
        try:
            return bytes.fromhex(value[1:]).decode()
        except ValueError:  # also UnicodeDecodeError; the URL then does not match (404)
            raise ValueError(value) from None

    def to_url(self, value: str) -> str:
        return value if batch_name_problem(value) is None else "~" + value.encode().hex()


# A CSV text cell that begins with one of these is a formula to a spreadsheet (OWASP "CSV
# injection"); so is one that begins with the quote we put in front, to keep the change reversible.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_safe(text: str) -> str:
    """A text cell for a CSV file: ``'`` in front when a spreadsheet would run it as a formula.

    Only text cells: numbers are written as numbers (``-5.00`` stays a number).
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_unsafe(text: str) -> str:
    """The text ``csv_safe`` was given: an import of our own CSV export reads the original."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text
