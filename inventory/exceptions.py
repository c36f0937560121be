from __future__ import annotations


class InventoryError(Exception):
    """Base of the domain errors of the inventory app."""


class PostingError(InventoryError):
    """A posting was refused; nothing was written.

    ``line_no`` names the journal line and ``field`` the field at fault, when known, so that the
    journal page can show the message next to the field and commands can name the line.
    """

    def __init__(self, message: str, *, line_no: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.line_no = line_no
        self.field = field

    def __str__(self) -> str:
        return f"Line {self.line_no}: {self.message}" if self.line_no is not None else self.message
