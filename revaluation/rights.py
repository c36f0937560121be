"""Who may prepare and who may post a revaluation (issue 10 §5).

Preparing (Calculate Inventory Value, editing and deleting lines, manual lines, import) needs
``revaluation.prepare_revaluation``; posting and reversing need ``revaluation.post_revaluation``.
Migration 0007 creates the groups "Revaluation preparer" and "Revaluation approver" with one each
and gives the Accountant group both. Superusers and Accountant members (by group name, as
``inventory.selectors.can_post_journals``) keep both rights whatever the permission rows say,
so current users are unaffected.
"""

from __future__ import annotations

import pghistory
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from inventory.access import right_required
from inventory.selectors import can_post_journals

PREPARE = "revaluation.prepare_revaluation"
POST = "revaluation.post_revaluation"
PREPARER_GROUP = "Revaluation preparer"
APPROVER_GROUP = "Revaluation approver"

PREPARE_REFUSED = _(
    "Only users allowed to prepare revaluations may calculate, edit or import lines."
)
POST_REFUSED = _("Only users allowed to post revaluations may post or reverse them.")


def _has(user: User | AnonymousUser, permission: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return can_post_journals(user) or user.has_perm(permission)


def can_prepare(user: User | AnonymousUser) -> bool:
    return _has(user, PREPARE)


def can_post(user: User | AnonymousUser) -> bool:
    return _has(user, POST)


# View decorators (below ``login_required``): preparing and posting/reversing.
prepare_required = right_required(can_prepare, PREPARE_REFUSED)
post_required = right_required(can_post, POST_REFUSED)


def add_user_argument(parser) -> None:
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        help="act for this user: their rights are checked and the entries carry their name",
    )


def command_user(username: str | None, *, post: bool) -> User | None:
    """The user a command acts for (``--user``), checked for the right it needs; None without
    ``--user`` (an administrator's run). Raises CommandError with the reason."""
    from django.core.management.base import CommandError

    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"There is no user {username}.")
    allowed = can_post(user) if post else can_prepare(user)
    if not allowed:
        raise CommandError(f"{username}: {POST_REFUSED if post else PREPARE_REFUSED}")
    return user


def audit_context(user: User | None, command: str):
    """The audit trail's context of a command's changes (the middleware's for a request)."""
    return pghistory.context(user=user.pk if user is not None else None, command=command)
