from __future__ import annotations

from inventory.exceptions import LineError


class RevaluationError(LineError):
    """A revaluation journal action was refused; nothing was changed.

    ``field`` names the line field at fault (for the message next to the cell) when known.
    """


class DuplicateLinesError(RevaluationError):
    """Q-01: the batch already holds lines for the same item/variant/location/entry."""


class StaleLineError(RevaluationError):
    """Someone else changed the line since it was read (optimistic concurrency)."""
