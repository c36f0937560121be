"""Prepare and post rights (issue 10 §5): one person prepares, another approves by posting."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from inventory.models import ValueEntry
from revaluation.models import PostedRevaluation, RevaluationBatch, RevaluationLine
from revaluation.rights import APPROVER_GROUP, PREPARER_GROUP
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_post
from tests.factories import UserFactory
from tests.posting import day

HTMX = {"HX-Request": "true"}


@pytest.fixture
def line(scenario_a):
    [line] = calculate_inventory_value(
        batch_name="R",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    line.refresh_from_db()
    return line


def member(username: str, group: str, **kwargs) -> User:
    user: User = UserFactory.create(username=username, **kwargs)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def preparer_client(client, db):
    client.force_login(member("paula", PREPARER_GROUP, is_staff=True))
    return client


@pytest.fixture
def approver_client(client, db):
    client.force_login(member("arno", APPROVER_GROUP, is_staff=True))
    return client


def test_the_migration_gives_the_accountant_group_both_rights(db):
    codenames = set(
        Permission.objects.filter(
            group__name="Accountant", content_type__app_label="revaluation"
        ).values_list("codename", flat=True)
    )
    assert {"prepare_revaluation", "post_revaluation"} <= codenames
    assert set(
        Group.objects.get(name=PREPARER_GROUP).permissions.values_list("codename", flat=True)
    ) >= {"prepare_revaluation"}
    assert "post_revaluation" not in set(
        Group.objects.get(name=PREPARER_GROUP).permissions.values_list("codename", flat=True)
    )


def test_a_preparer_edits_but_sees_no_post_button(preparer_client, line):
    page = preparer_client.get(reverse("revaluation-journal-detail", args=["R"])).content.decode()
    assert 'id="post-button"' not in page
    assert f'id="line-{line.pk}-unit-cost-revalued"' in page  # the editable cell
    preview = preparer_client.get(reverse("revaluation-preview", args=["R"])).content.decode()
    assert 'id="post-button"' not in preview
    response = preparer_client.post(
        reverse("revaluation-line-edit", args=["R", line.pk]),
        {"version": line.version, "field": "unit_cost_revalued", "unit_cost_revalued": "15"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert RevaluationLine.objects.get().unit_cost_revalued == D("15")


def test_a_preparer_cannot_post_or_reverse_by_direct_post(preparer_client, line):
    ve_count = ValueEntry.objects.count()
    response = preparer_client.post(reverse("revaluation-post", args=["R"]))
    assert response.status_code == 403
    assert "Only users allowed to post revaluations" in response.content.decode()
    assert ValueEntry.objects.count() == ve_count
    assert not PostedRevaluation.objects.exists()
    assert RevaluationLine.objects.count() == 1
    posted = revaluation_batch_post(batch_name="R")
    response = preparer_client.post(
        reverse("revaluation-posted-reverse", args=[posted.pk]), {"posting_date": "2025-01-06"}
    )
    assert response.status_code == 403
    assert PostedRevaluation.objects.count() == 1


def test_an_approver_posts_but_cannot_edit(approver_client, line):
    page = approver_client.get(reverse("revaluation-journal-detail", args=["R"])).content.decode()
    assert 'id="post-button"' in page
    response = approver_client.post(
        reverse("revaluation-line-edit", args=["R", line.pk]),
        {"version": line.version, "field": "unit_cost_revalued", "unit_cost_revalued": "15"},
        headers=HTMX,
    )
    assert response.status_code == 403
    response = approver_client.post(reverse("revaluation-post", args=["R"]))
    assert response.status_code == 302
    assert PostedRevaluation.objects.get().total_amount == D("40.00")


def test_commands_check_the_user(line):
    member("paula", PREPARER_GROUP)
    with pytest.raises(CommandError, match="paula: Only users allowed to post revaluations"):
        call_command("post_revaluation_journal", "--batch", "R", "--user", "paula")
    assert not PostedRevaluation.objects.exists()
    member("arno", APPROVER_GROUP)
    call_command("post_revaluation_journal", "--batch", "R", "--user", "arno")
    posted = PostedRevaluation.objects.get()
    assert posted.posted_by.username == "arno"
    with pytest.raises(CommandError, match="paula: Only users allowed to post"):
        call_command("reverse_revaluation", "--posted", str(posted.pk), "--user", "paula")
    with pytest.raises(CommandError, match="arno: Only users allowed to prepare"):
        call_command(
            "calculate_inventory_value",
            "--batch",
            "R",
            "--posting-date",
            "2025-01-04",
            "--user",
            "arno",
        )


def test_the_admin_lets_only_preparers_change_batches(client, line):
    approver = member("arno", APPROVER_GROUP, is_staff=True)
    approver.user_permissions.add(Permission.objects.get(codename="change_revaluationbatch"))
    client.force_login(approver)
    url = reverse("admin:revaluation_revaluationbatch_change", args=["R"])
    response = client.post(url, {"description": "changed", "last_document_no": ""})
    assert response.status_code in (200, 403)
    assert RevaluationBatch.objects.get().description == ""
    client.force_login(member("paula", PREPARER_GROUP, is_staff=True))
    response = client.post(url, {"description": "changed", "last_document_no": ""})
    assert response.status_code == 302
    assert RevaluationBatch.objects.get().description == "changed"
