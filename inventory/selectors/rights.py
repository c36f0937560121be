"""Who may change and post journals."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

ACCOUNTANT_GROUP = "Accountant"


def can_post_journals(user: User | AnonymousUser) -> bool:
    """May ``user`` change and post journals? Superusers and members of the Accountant group.

    This is the one check for every journal write (create batches, add/edit/delete lines,
    post); everyone else who is signed in may only look. Group membership is the gate because
    posting is no model action (there is no "post" model permission); the Accountant group also
    holds the journal and ledger model permissions (migration 0003), which serve the admin.
    The answer is cached on the user object for the rest of the request.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_can_post_journals", None)
    if cached is None:
        cached = user.groups.filter(name=ACCOUNTANT_GROUP).exists()
        user._can_post_journals = cached  # type: ignore[attr-defined]  # a per-request cache
    return cached
