"""Accounts and sessions: login throttling, the idle timeout, the Content Security Policy and the
request size limit."""

from __future__ import annotations

import os
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.factories import ItemFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN_URLS = ["/login/", "/admin/login/"]


@pytest.fixture
def alice():
    return UserFactory(username="alice", password=PASSWORD, is_staff=True)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# =========================================================================== login throttling


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_fifty_wrong_passwords_lock_the_login(url, alice, client):
    answers = [client.post(url, {"username": "alice", "password": f"guess-{n}"}) for n in range(50)]
    # the first four are ordinary failures; from the fifth on, the user name is locked out here
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert {a.status_code for a in answers[4:]} == {429}
    response = client.post(url, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)
    text = response.content.decode()
    assert "Sign-in locked" in text
    assert "Too many wrong passwords for <strong>alice</strong>" in text
    assert "locked for\n    15 minutes" in text
    # every attempt during the lock counts, the right password too
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 51


def test_the_lock_is_per_user_name_and_address(alice, client):
    UserFactory(username="bob", password=PASSWORD)
    for n in range(5):
        client.post("/login/", {"username": "alice", "password": f"guess-{n}"})
    # another user from the same address, and the same user from another address, still sign in
    assert client.post("/login/", {"username": "bob", "password": PASSWORD}).status_code == 302
    other = Client(REMOTE_ADDR="203.0.113.7")
    assert other.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


def test_fewer_failures_than_the_limit_are_forgotten_after_a_success(alice, client):
    for n in range(4):
        client.post("/login/", {"username": "alice", "password": f"guess-{n}"})
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
    client.logout()
    for n in range(4):
        client.post("/login/", {"username": "alice", "password": f"guess-{n}"})
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


def test_an_administrator_lifts_the_lock_in_the_admin(alice, client, admin_client):
    for n in range(5):
        client.post("/login/", {"username": "alice", "password": f"guess-{n}"})
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 429

    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "alice" in admin_client.get(changelist).content.decode()
    attempt = AccessAttempt.objects.get(username="alice")
    response = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)


# =========================================================================== idle session timeout


def test_a_session_ends_after_the_idle_time_not_after_a_fixed_time(alice, client, settings):
    settings.SESSION_COOKIE_AGE = 2  # seconds
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
    home = reverse("inventory-item-list")
    for _ in range(2):  # a request every 1.2 s keeps it alive beyond 2 s
        time.sleep(1.2)
        assert client.get(home).status_code == 200
    time.sleep(2.2)  # idle for longer than 2 s
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_session_is_renewed_once_per_hundredth_of_the_idle_time(alice, client, settings):
    """Not written on every request: 8 h idle renews it at most every 4.8 min."""
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
    session = Session.objects.get()
    home = reverse("inventory-item-list")
    assert client.get(home).status_code == 200
    assert Session.objects.get().expire_date == session.expire_date  # not renewed yet
    settings.SESSION_COOKIE_AGE = 2  # a hundredth: 0.02 s
    time.sleep(0.05)
    assert client.get(home).status_code == 200
    assert Session.objects.get().expire_date < session.expire_date  # renewed, for 2 s now


# =========================================================================== content security policy


def test_pages_carry_a_content_security_policy(alice, client):
    client.force_login(alice)
    policy = client.get(reverse("inventory-item-list"))["Content-Security-Policy"]
    assert policy.startswith(
        "default-src 'self'; script-src 'self' 'nonce-"
    )  # the nonce of the htmx script tag
    assert "style-src 'self'" in policy
    assert "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'" in (
        policy
    )
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db(transaction=True)
def test_the_admin_and_the_htmx_pages_run_under_the_policy(page: Page, live_server):
    """The admin's change list (its nonce'd <style>), the login form and an htmx search, in a
    browser that enforces the policy: no violation reported."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM calls of this test's own thread
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    ItemFactory(no="CHAIR", description="Oak chair")
    ItemFactory(no="LAMP", description="Desk lamp")
    messages = []
    page.on("console", lambda message: messages.append(message.text))

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type='submit']")
    page.goto(f"{live_server.url}{reverse('admin:inventory_item_changelist')}")
    expect(page.locator("#result_list")).to_contain_text("Oak chair")
    # the action bar's counter is shown by the admin's script under the nonce'd style
    page.locator("#result_list input.action-select").first.check()
    expect(page.locator(".action-counter")).to_contain_text("1 of 2 selected")

    page.goto(f"{live_server.url}{reverse('inventory-item-list')}")
    page.locator("input[type=search]").press_sequentially("lamp")  # htmx replaces the table
    expect(page.locator("#items-table")).not_to_contain_text("Oak chair")
    expect(page.locator("#items-table")).to_contain_text("Desk lamp")
    assert [text for text in messages if "Content Security Policy" in text] == []


# =========================================================================== request size limit


def test_a_request_body_over_the_limit_is_refused_with_413(alice, client, settings):
    settings.REQUEST_MAX_BYTES = 10_000
    response = client.post("/login/", {"username": "alice", "password": "x" * 20_000})
    assert response.status_code == 413
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("The request is too large: 20,")
    assert "the limit is 10,000 bytes" in response.content.decode()


def test_the_limit_covers_file_parts(alice, client, settings):
    """DATA_UPLOAD_MAX_MEMORY_SIZE would let this through: it counts only non-file parts."""
    settings.REQUEST_MAX_BYTES = 10_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    upload = SimpleUploadedFile("big.csv", b"a,b\n" * 5_000)  # 20,000 bytes
    response = client.post("/login/", {"username": "alice", "password": "x", "file": upload})
    assert response.status_code == 413
    # under the limit the same form reaches the login view
    small = SimpleUploadedFile("small.csv", b"a,b\n" * 100)
    response = client.post("/login/", {"username": "alice", "password": PASSWORD, "file": small})
    assert response.status_code == 302 and signed_in(client)
