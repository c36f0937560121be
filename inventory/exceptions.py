from __future__ import annotations


class LineError(Exception):
    """Input refused, with the line and the field at fault when they are known.

    The one shape of every refusal that can say where it happened (a journal line, an import
    row, a setup field): ``message`` is the text, ``line_no`` the line or row, ``field`` the field
    or column, so that a page shows the message next to the field and a command names the line.
    """

    def __init__(self, message: str, *, line_no: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.line_no = line_no
        self.field = field

    def __str__(self) -> str:
        return f"Line {self.line_no}: {self.message}" if self.line_no is not None else self.message


class InventoryError(Exception):
    """Base of the domain errors of the inventory app."""


class PostingError(InventoryError, LineError):
    """A posting was refused; nothing was written (``line_no``: the journal line)."""
