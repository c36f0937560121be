"""The audit trail (issue 10 §5): who changed what, when, old -> new (django-pghistory).

PostgreSQL triggers write an event row for every change of a tracked model, so every path (views,
admin, commands, services, raw SQL) is covered; ``pghistory.middleware.HistoryMiddleware`` puts
the signed-in user and the URL of the request in the event's context. Journal lines are not
tracked on insert (Calculate Inventory Value inserts thousands at a time and the insert is no
change of a value); every tracked model records an update twice, the row before and the row
after ("before_update", "update"), so a change reads old -> new from one pair of events.

Inserts and deletes are recorded by statement-level triggers (one INSERT ... SELECT from the
transition table): a row-level trigger attaches the request's context in a PL/pgSQL exception
block, a subtransaction per row; deleting 40,000 journal lines took 14.4 s through it and takes
0.84 s now (bench/delete_lines.py, docs/BENCHMARKS.md). Updates stay row-level: a statement-level
trigger cannot carry their "any column changed" condition, and they touch a row or a few.

``change_history`` reads the events of one object for the pages (journal line, item card).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pghistory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

BEFORE = "before_update"
UPDATE = "update"
INSERT = "insert"
DELETE = "delete"


def _change_trackers() -> list:
    # New tracker objects per model (pghistory binds a tracker to its model); built, not deep
    # copied: a copied pgtrigger level no longer equals pgtrigger.Statement.
    return [
        pghistory.UpdateEvent(BEFORE, row=pghistory.Old),
        pghistory.UpdateEvent(UPDATE),
        pghistory.DeleteEvent(DELETE, level=pghistory.Statement),
    ]


def track_changes(**kwargs):
    """Track updates (old and new row) and deletes: for journal lines."""
    return pghistory.track(*_change_trackers(), **kwargs)


def track_all(**kwargs):
    """Track inserts, updates (old and new row) and deletes: setups, master data, batches."""
    return pghistory.track(
        pghistory.InsertEvent(INSERT, level=pghistory.Statement), *_change_trackers(), **kwargs
    )


@dataclass
class Change:
    field: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    when: datetime
    action: str  # created, changed, deleted
    user: str  # the user name, or "" (a command or the system)
    url: str
    changes: list[Change] = field(default_factory=list)


def _event_model(model: type[models.Model]) -> Any:
    return next(m for m in apps.get_models() if getattr(m, "pgh_tracked_model", None) is model)


def change_history(obj: models.Model) -> list[HistoryEntry]:
    """The recorded changes of ``obj``, oldest first (an update pairs its before/after rows)."""
    event_model = _event_model(type(obj))
    events = list(
        event_model.objects.filter(pgh_obj_id=obj.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    user_ids = {e.pgh_context.metadata.get("user") for e in events if e.pgh_context is not None} - {
        None
    }
    names: dict[Any, str] = dict(
        get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username")
    )
    fields = [f.attname for f in type(obj)._meta.concrete_fields if hasattr(event_model, f.attname)]
    entries: list[HistoryEntry] = []
    before = None
    for event in events:
        if event.pgh_label == BEFORE:
            before = event
            continue
        context = event.pgh_context.metadata if event.pgh_context is not None else {}
        entry = HistoryEntry(
            when=event.pgh_created_at,
            action={INSERT: "created", UPDATE: "changed", DELETE: "deleted"}[event.pgh_label],
            user=names.get(context.get("user"), ""),
            url=context.get("url", ""),
        )
        if event.pgh_label == UPDATE and before is not None:
            entry.changes = [
                Change(name, getattr(before, name), getattr(event, name))
                for name in fields
                if getattr(before, name) != getattr(event, name)
            ]
        before = None
        entries.append(entry)
    return entries
