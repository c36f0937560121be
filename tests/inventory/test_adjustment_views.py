"""Adjust Cost from the pages: start (per item, all items), progress, summary, one run at a time,
the background worker, permissions."""

from __future__ import annotations

from decimal import Decimal as D
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connections, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from inventory.models import (
    AdjustmentRun,
    AdjustmentRunStatus,
    InventorySetup,
    Item,
    ItemRegister,
    SourceCode,
    ValueEntry,
)
from inventory.services import adjustment_runs, jobs
from inventory.services.adjustment import adjust_cost_item_entries
from inventory.services.jobs import JobActive
from tests.factories import AccountantFactory, InventorySetupFactory, ItemFactory, UserFactory
from tests.jobs import task_worker, wait_for
from tests.posting import day, jline, post

HTMX = {"HX-Request": "true"}


def unadjusted_sale(no: str = "C") -> None:
    """Purchase 10 @ 10.00 on D1; the unit cost is then set to 12.00, so the sale of 5 on D3 is
    valued at 60.00 until Adjust Cost brings it to the 50.00 it consumed (+10.00)."""
    ItemFactory(no=no, description=f"Item {no}")
    post(jline("purchase", no, 10, day(1), unit_amount=10))
    Item.objects.filter(no=no).update(unit_cost=D(12))
    post(jline("sale", no, 5, day(3)))


def sale_cost(no: str = "C") -> D:
    return ValueEntry.objects.filter(item_id=no, item_ledger_entry_type="sale").aggregate(
        total=Sum("cost_amount_actual")
    )["total"]


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# =========================================================================== synchronous runs


@pytest.mark.django_db
def test_adjust_one_item_from_the_items_page(accountant_client, accountant, setup):
    unadjusted_sale("C")
    unadjusted_sale("D")
    assert sale_cost("C") == D("-60.00")
    response = accountant_client.post(
        reverse("adjust-cost-start"), {"scope": "items", "item_nos": "C"}, follow=True
    )
    assert response.status_code == 200
    [run] = AdjustmentRun.objects.all()
    assert response.redirect_chain == [(f"{reverse('adjust-cost')}?run={run.pk}#run-{run.pk}", 302)]
    assert message_texts(response) == [f"Adjust Cost run {run.pk} finished for item C."]

    adjustment = ValueEntry.objects.get(item_id="C", adjustment=True)
    assert adjustment.cost_amount_actual == D("10.00")
    assert adjustment.item_ledger_entry_id == 2
    assert adjustment.source_code == SourceCode.COST_ADJUSTMENT
    assert sale_cost("C") == D("-50.00")
    assert Item.objects.get(no="C").cost_is_adjusted
    assert not Item.objects.get(no="D").cost_is_adjusted  # only the item asked for

    assert (run.status, run.item_filter, run.started_by) == ("finished", "C", accountant)
    assert (run.items_total, run.items_done, run.entries_created) == (1, 1, 1)
    assert run.amount == D("10.00") and run.failures == []
    assert run.register_nos == [adjustment.item_register_id]
    assert ItemRegister.objects.get(no=adjustment.item_register_id).user == accountant

    html = response.content.decode()
    card = html[html.index(f'id="run-{run.pk}"') :]
    assert "data-entries-created>1<" in card
    assert 'data-amount class="">10.00<' in card
    assert "data-items-done>1<" in card and "data-items-total>1<" in card
    assert "hx-trigger" not in card[: card.index("</article>")]  # finished: no polling


@pytest.mark.django_db
def test_adjust_all_unadjusted_items(accountant_client, setup):
    unadjusted_sale("C")
    unadjusted_sale("D")
    response = accountant_client.post(reverse("adjust-cost-start"), {"scope": "all"}, follow=True)
    [run] = AdjustmentRun.objects.all()
    assert message_texts(response) == [
        f"Adjust Cost run {run.pk} finished for all items whose cost is not adjusted."
    ]
    assert (run.item_filter, run.items_total, run.items_done) == ("", 2, 2)
    assert (run.entries_created, run.amount) == (2, D("20.00"))
    assert len(run.register_nos) == 2
    assert sale_cost("C") == sale_cost("D") == D("-50.00")


@pytest.mark.django_db
def test_summary_shows_failures_and_register_links(client, setup):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    unadjusted_sale("C")
    unadjusted_sale("D")
    adjust_cost_item_entries(item_nos=["C"])
    # D's adjustment, dated D3, is outside the allowed posting dates
    InventorySetup.objects.filter(pk=1).update(allow_posting_to=day(2))
    response = client.post(reverse("adjust-cost-start"), {"scope": "all"}, follow=True)
    [run] = AdjustmentRun.objects.all()
    assert run.status == AdjustmentRunStatus.FINISHED
    assert (run.items_total, run.items_done, run.entries_created) == (1, 1, 0)
    assert run.failures == [
        ["D", "Posting Date is not within your range of allowed posting dates."]
    ]
    html = response.content.decode()
    assert "Item <strong>D</strong>: Posting Date is not within your range" in html
    assert message_texts(response) == [
        f"Adjust Cost run {run.pk} finished for all items whose cost is not adjusted; "
        "1 item could not be adjusted."
    ]

    # register links go to the admin's value entries of that register
    InventorySetup.objects.filter(pk=1).update(allow_posting_to=None)
    response = client.post(
        reverse("adjust-cost-start"), {"scope": "items", "item_nos": "D"}, follow=True
    )
    run = AdjustmentRun.objects.get(item_filter="D")
    [register_no] = run.register_nos
    link = (
        f"{reverse('admin:inventory_valueentry_changelist')}?item_register__no__exact={register_no}"
    )
    assert f'href="{link}"' in response.content.decode()
    changelist = client.get(link)
    assert changelist.status_code == 200
    assert [ve.entry_no for ve in changelist.context["cl"].result_list] == list(
        ValueEntry.objects.filter(item_register_id=register_no).values_list("entry_no", flat=True)
    )


@pytest.mark.django_db
def test_start_form_validation(accountant_client, setup):
    response = accountant_client.post(reverse("adjust-cost-start"), {"scope": "items"})
    assert response.status_code == 422
    assert "Enter at least one item no." in response.content.decode()
    response = accountant_client.post(
        reverse("adjust-cost-start"), {"scope": "items", "item_nos": "NOPE, ALSO"}
    )
    assert response.status_code == 422
    assert "There is no item NOPE, ALSO." in response.content.decode()
    assert not AdjustmentRun.objects.exists()


@pytest.mark.django_db
def test_read_only_user_sees_pages_without_buttons_and_gets_403(viewer_client, setup):
    unadjusted_sale("C")
    response = viewer_client.get(reverse("adjust-cost"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only members of the Accountant group can run Adjust Cost." in html
    assert reverse("adjust-cost-start") not in html
    response = viewer_client.post(reverse("adjust-cost-start"), {"scope": "all"})
    assert response.status_code == 403
    assert not AdjustmentRun.objects.exists()
    assert not ValueEntry.objects.filter(adjustment=True).exists()


@pytest.mark.django_db
def test_pages_need_login_and_post_needs_csrf(client, setup):
    assert client.get(reverse("adjust-cost")).status_code == 302
    assert client.post(reverse("adjust-cost-start"), {"scope": "all"}).status_code == 302
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(AccountantFactory(username="other"))
    assert csrf_client.post(reverse("adjust-cost-start"), {"scope": "all"}).status_code == 403
    assert not AdjustmentRun.objects.exists()


# =========================================================================== one run at a time


@pytest.mark.django_db
def test_second_start_is_refused_while_a_run_is_active(accountant_client, setup):
    unadjusted_sale("C")
    other = UserFactory(username="bob")
    active = AdjustmentRun.objects.create(started_by=other, status=AdjustmentRunStatus.QUEUED)
    response = accountant_client.post(reverse("adjust-cost-start"), {"scope": "all"}, follow=True)
    assert (
        response.redirect_chain[0][0] == f"{reverse('adjust-cost')}?run={active.pk}#run-{active.pk}"
    )
    assert message_texts(response) == [
        f"Adjust Cost is already running (run {active.pk}, started by bob). "
        "Wait for it to finish, then start again."
    ]
    assert list(AdjustmentRun.objects.all()) == [active]
    assert not ValueEntry.objects.filter(adjustment=True).exists()
    html = response.content.decode()
    assert f"Run {active.pk} is in progress; one run at a time." in html


@pytest.mark.django_db
def test_the_database_allows_one_active_run(setup):
    """Two concurrent starts both pass any check in Python; the partial unique index stops the
    second insert."""
    AdjustmentRun.objects.create(status=AdjustmentRunStatus.RUNNING)
    AdjustmentRun.objects.create(status=AdjustmentRunStatus.FINISHED)
    AdjustmentRun.objects.create(status=AdjustmentRunStatus.FAILED)
    for status in (AdjustmentRunStatus.QUEUED, AdjustmentRunStatus.RUNNING):
        with pytest.raises(IntegrityError), transaction.atomic():
            AdjustmentRun.objects.create(status=status)


@pytest.mark.django_db
def test_a_running_run_whose_worker_is_alive_refuses(setup):
    """The worker holds the run's advisory lock; another connection sees it and refuses."""
    unadjusted_sale("C")
    running = AdjustmentRun.objects.create(status=AdjustmentRunStatus.RUNNING)
    worker = connections.create_connection("default")
    try:
        with worker.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)", [AdjustmentRun.lock_namespace, running.pk]
            )
        with pytest.raises(JobActive) as refused:
            adjustment_runs.adjustment_run_start(user=None)
        assert refused.value.job == running
    finally:
        worker.close()
    running.refresh_from_db()
    assert running.status == AdjustmentRunStatus.RUNNING


@pytest.mark.django_db
def test_an_abandoned_run_does_not_block_forever(accountant, setup):
    """A run left running by a worker that died (its lock is free), or queued while the worker
    that claimed its task is gone, is marked failed, and the new run starts."""
    unadjusted_sale("C")
    dead = AdjustmentRun.objects.create(status=AdjustmentRunStatus.RUNNING, items_total=3)
    run = adjustment_runs.adjustment_run_start(user=accountant, item_nos=["C"])
    dead.refresh_from_db()
    assert dead.status == AdjustmentRunStatus.FAILED and dead.finished_at is not None
    assert dead.failures == [["", jobs.ABANDONED_MESSAGE]]
    assert run.status == AdjustmentRunStatus.FINISHED and run.entries_created == 1

    stale = AdjustmentRun.objects.create(
        status=AdjustmentRunStatus.QUEUED,
        started_at=timezone.now() - jobs.CLAIM_GRACE - timezone.timedelta(seconds=1),
    )
    adjustment_runs.adjustment_run_start(user=accountant)
    stale.refresh_from_db()
    assert stale.status == AdjustmentRunStatus.FAILED


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_run(accountant, setup):
    unadjusted_sale("C")
    with mock.patch.object(
        adjustment_runs, "adjust_cost_item_entries", side_effect=RuntimeError("disk full")
    ):
        run = adjustment_runs.adjustment_run_start(user=accountant)
    assert run.status == AdjustmentRunStatus.FAILED
    assert run.failures == [["", "Unexpected error: disk full"]]
    # the lock is released: the next run starts and adjusts
    run = adjustment_runs.adjustment_run_start(user=accountant)
    assert (run.status, run.entries_created) == (AdjustmentRunStatus.FINISHED, 1)


# =========================================================================== progress


@pytest.mark.django_db
def test_progress_fragment_polls_while_active(accountant_client, setup):
    run = AdjustmentRun.objects.create(
        status=AdjustmentRunStatus.RUNNING, items_total=7, items_done=3
    )
    url = reverse("adjustment-run-detail", args=[run.pk])
    worker = connections.create_connection("default")  # holds the run's lock: alive
    with worker.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [AdjustmentRun.lock_namespace, run.pk])
    response = accountant_client.get(url, headers=HTMX)
    worker.close()
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="run-{run.pk}"')
    assert "data-items-done>3<" in html and "data-items-total>7<" in html
    assert f'hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML"' in html
    assert 'max="7" value="3"' in html

    AdjustmentRun.objects.filter(pk=run.pk).update(
        status=AdjustmentRunStatus.FINISHED, items_done=7, entries_created=4, amount=D("-1.5")
    )
    response = accountant_client.get(url, headers=HTMX)
    html = response.content.decode()
    assert "hx-trigger" not in html  # the swapped-in card stops the polling
    # ... and tells the page, whose start panel then reloads itself
    assert response["HX-Trigger"] == f'{{"adjustmentRunFinished": {{"run": {run.pk}}}}}'
    panel = accountant_client.get(reverse("adjust-cost"), headers=HTMX).content.decode()
    assert panel.lstrip().startswith('<section id="start-panel"')
    assert 'hx-trigger="adjustmentRunFinished from:body"' in panel
    assert "Run Adjust Cost</button>" in panel and "disabled" not in panel
    assert "data-items-done>7<" in html and "data-entries-created>4<" in html
    assert "-1.50" in html

    page = accountant_client.get(url)  # without htmx: a page of its own
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert accountant_client.get(reverse("adjustment-run-detail", args=[999])).status_code == 404


@pytest.mark.django_db
def test_progress_is_written_after_every_item(accountant, setup):
    unadjusted_sale("C")
    unadjusted_sale("D")
    unadjusted_sale("E")
    seen = []
    real = adjustment_runs.adjust_cost_item_entries

    def spy(**kwargs):
        progress = kwargs["progress"]

        def recording(done, total, item_no):
            progress(done, total, item_no)
            run = AdjustmentRun.objects.get()
            seen.append((item_no, run.items_done, run.items_total, run.status))

        return real(**{**kwargs, "progress": recording})

    with mock.patch.object(adjustment_runs, "adjust_cost_item_entries", spy):
        adjustment_runs.adjustment_run_start(user=accountant)
    assert seen == [("C", 1, 3, "running"), ("D", 2, 3, "running"), ("E", 3, 3, "running")]


# =========================================================================== background worker


def locked_item(no: str):
    """Another connection holding item ``no`` locked: a worker adjusting it waits there."""
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute("SELECT 1 FROM inventory_item WHERE no = %s FOR UPDATE", [no])
    return holder


@pytest.mark.django_db(transaction=True)
def test_background_run_with_progress_refusal_and_killed_worker(client, settings):
    """The real thing: a db_worker process adjusts C, waits at D (locked by the test) while the
    page polls its progress; a second click is refused; the worker is killed: C stays adjusted
    (its own transaction), D is as before, the run shows failed and a new run finishes D."""
    InventorySetupFactory()
    unadjusted_sale("C")
    unadjusted_sale("D")
    client.force_login(AccountantFactory(username="anna"))
    holder = locked_item("D")
    with task_worker(settings) as worker:
        response = client.post(reverse("adjust-cost-start"), {"scope": "all"}, follow=True)
        [run] = AdjustmentRun.objects.all()
        assert message_texts(response) == [
            f"Adjust Cost run {run.pk} started for all items whose cost is not adjusted."
        ]
        assert 'hx-trigger="every 1s"' in response.content.decode()  # the page polls the run
        url = reverse("adjustment-run-detail", args=[run.pk])
        html = wait_for(
            lambda: (
                (page := client.get(url, headers=HTMX).content.decode()).count("data-items-done>1<")
                and page
            )
        )
        assert "data-items-total>2<" in html and 'hx-trigger="every 1s"' in html
        assert AdjustmentRun.objects.get().status == AdjustmentRunStatus.RUNNING

        second = client.post(reverse("adjust-cost-start"), {"scope": "all"}, follow=True)
        assert message_texts(second) == [
            f"Adjust Cost is already running (run {run.pk}, started by anna). "
            "Wait for it to finish, then start again."
        ]
        assert AdjustmentRun.objects.count() == 1

        worker.kill()
        worker.wait(10)
        holder.rollback()  # the orphaned backend goes on, finds its client gone, rolls back
        holder.close()
        html = wait_for(
            lambda: (
                "run-failed" in (page := client.get(url, headers=HTMX).content.decode()) and page
            )
        )
    assert "hx-trigger" not in html and jobs.ABANDONED_MESSAGE in html
    run.refresh_from_db()
    assert (run.status, run.items_done) == (AdjustmentRunStatus.FAILED, 1)
    assert sale_cost("C") == D("-50.00")
    assert sale_cost("D") == D("-60.00")  # untouched
    assert not Item.objects.get(no="D").cost_is_adjusted

    with task_worker(settings):
        client.post(reverse("adjust-cost-start"), {"scope": "all"})
        run = wait_for(lambda: AdjustmentRun.objects.filter(status="finished").first())
    assert (run.items_total, run.entries_created, run.amount) == (1, 1, D("10.00"))
    assert sale_cost("D") == D("-50.00")


@pytest.mark.django_db
def test_register_numbers_link_to_the_admin_by_range(client, setup):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for no in ("C", "D", "E"):
        unadjusted_sale(no)
    response = client.post(reverse("adjust-cost-start"), {"scope": "all"}, follow=True)
    run = AdjustmentRun.objects.get()
    first, last = min(run.register_nos), max(run.register_nos)
    assert run.register_ranges == [(first, last)] and last == first + 2
    changelist = reverse("admin:inventory_valueentry_changelist")
    link = f"{changelist}?item_register__no__gte={first}&item_register__no__lte={last}"
    assert f'href="{link.replace("&", "&amp;")}"' in response.content.decode()
    page = client.get(link)
    assert page.status_code == 200
    assert {ve.item_register_id for ve in page.context["cl"].result_list} == set(run.register_nos)


def test_register_ranges():
    run = AdjustmentRun(register_nos=[7, 1, 2, 3, 9, 10])
    assert run.register_ranges == [(1, 3), (7, 7), (9, 10)]
    assert AdjustmentRun().register_ranges == []


@pytest.mark.django_db
def test_automatic_adjustment_while_a_run_is_active_follows_it(
    setup, django_capture_on_commit_callbacks
):
    """Posting with Automatic Cost Adjustment while a run works: the posted items join that run's
    pending list, and when the run ends its task starts a run for them."""
    InventorySetup.objects.filter(pk=1).update(automatic_cost_adjustment=True)
    ItemFactory(no="C")
    with django_capture_on_commit_callbacks(execute=True):
        post(jline("purchase", "C", 10, day(1), unit_amount=10))
    running = AdjustmentRun.objects.create(status=AdjustmentRunStatus.RUNNING)
    worker = connections.create_connection("default")  # the active run's live worker
    with worker.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_lock(%s, %s)", [AdjustmentRun.lock_namespace, running.pk]
        )
    Item.objects.filter(no="C").update(unit_cost=D(12))
    with django_capture_on_commit_callbacks(execute=True):
        post(jline("sale", "C", 5, day(3)))
    running.refresh_from_db()
    assert running.pending_item_nos == ["C"]
    assert AdjustmentRun.objects.count() == 2  # the first posting's run, and the active one
    assert sale_cost("C") == D("-60.00")

    AdjustmentRun.objects.filter(pk=running.pk).update(status=AdjustmentRunStatus.FINISHED)
    worker.close()
    adjustment_runs.adjust_cost_run.call(running.pk)  # the end of the active run's task
    follow_up = AdjustmentRun.objects.latest("pk")
    assert (follow_up.item_nos, follow_up.status, follow_up.entries_created) == (
        ["C"],
        AdjustmentRunStatus.FINISHED,
        1,
    )
    assert sale_cost("C") == D("-50.00")


def test_items_left_not_adjusted_say_why(accountant_client, setup):
    """A shipment never invoiced keeps its item not adjusted (§7.2 keep_flagged, §7.9): the
    page says so per item instead of only counting the items processed."""
    unadjusted_sale("C")
    ItemFactory(no="S")
    post(jline("purchase", "S", 10, day(1), unit_amount=10))
    post(jline("sale", "S", 4, day(2), invoiced_quantity=0))
    response = accountant_client.post(reverse("adjust-cost-start"), {"scope": "all"}, follow=True)
    [run] = AdjustmentRun.objects.all()
    assert (run.items_total, run.items_done) == (2, 2)
    assert Item.objects.get(no="C").cost_is_adjusted
    assert not Item.objects.get(no="S").cost_is_adjusted
    html = response.content.decode()
    assert "<strong>1</strong> item with cost not adjusted." in html
    assert (
        "<li>Item <strong>S</strong>: entry 3: outbound entry 4 applied to it not completely "
        "invoiced; Adjust Cost forwards the cost again when invoiced.</li>"
    ) in html
    assert "data-items-done>2</span> of <span data-items-total>2</span> items processed" in html
