from __future__ import annotations


class RevaluationError(Exception):
    """A revaluation journal action was refused; nothing was changed.

    ``field`` names the line field at fault (for the message next to the cell) when known.
    """

    def __init__(self, message: str, *, field: str | None = None, line_no: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.line_no = line_no

    def __str__(self) -> str:
        return f"Line {self.line_no}: {self.message}" if self.line_no is not None else self.message


class DuplicateLinesError(RevaluationError):
    """Q-01: the batch already holds lines for the same item/variant/location/entry."""


class StaleLineError(RevaluationError):
    """Someone else changed the line since it was read (optimistic concurrency)."""
