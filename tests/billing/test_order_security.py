"""The order flow as an attacker tries it from a second browser: knowing a pending order's
subdomain and contact e-mail gets them nothing, no page or JSON answer carries a set-password
link, parallel orders never share one, and nothing is created for an unconfirmed address."""

from __future__ import annotations

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client

from billing import services
from billing.models import Order
from features.models import Plan
from tenants.models import Portal
from tests.billing.conftest import GOOD_CARD, card
from tests.billing.factories import order_data


def _browser() -> Client:
    return Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")


def _order_form(browser: Client, **overrides):
    data = order_data(**overrides)
    data = {k: v for k, v in data.items() if v is not False}
    return browser.post("/order/", data)


def _confirm_link(mail) -> str:
    return re.search(r"http://localhost:\d+(/order/[^\s]+/confirm/[^\s]+/)", mail.body).group(1)


def _place_and_confirm(browser: Client, mailoutbox, capture, **overrides) -> Order:
    with capture(execute=True):
        response = _order_form(browser, **overrides)
    assert response.status_code == 302, response.content[:400]
    link = _confirm_link(mailoutbox[-1])
    assert browser.get(link).status_code == 200  # the page only asks
    with capture(execute=True):
        assert browser.post(link).status_code == 302
    return Order.objects.get(subdomain=overrides.get("subdomain", "stadtnetz-kiel"))


def test_an_attacker_knowing_subdomain_and_email_gets_nothing_of_the_victims_order(
    stripe_on, mailoutbox, django_capture_on_commit_callbacks
):
    victim, attacker = _browser(), _browser()
    order = _place_and_confirm(victim, mailoutbox, django_capture_on_commit_callbacks)
    assert victim.get(f"/order/{order.token}/").status_code == 200  # positive control

    # Same subdomain, same address in another letter case, from another browser.
    answer = _order_form(attacker, contact_email="JANA@STADTNETZ.example")
    assert answer.status_code == 400
    assert "already taken" in answer.content.decode()
    assert str(order.token) not in answer.content.decode()
    for page in ("", "status/"):
        assert attacker.get(f"/order/{order.token}/{page}").status_code == 404
        assert victim.get(f"/order/{order.token}/{page}").status_code == 200
    for action in ("pay/", "setup/", "status/"):
        url = f"/order/{order.token}/{action}"
        assert attacker.post(url, "{}", content_type="application/json").status_code == 404

    # The victim pays; neither browser is ever shown the admin's set-password link.
    with django_capture_on_commit_callbacks(execute=True):
        step = services.order_pay(order=order, payment_method=card(GOOD_CARD))
    assert step.status == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    status = victim.post(f"/order/{order.token}/status/").json()
    page = victim.get(f"/order/{order.token}/").content.decode()
    assert status["status"] == "completed"
    assert "set-password" not in str(status) and "set-password" not in page
    assert status["portal_url"] == "http://stadtnetz-kiel.localhost:8000/"
    assert attacker.get(f"/order/{order.token}/status/").status_code == 404
    invitations = [m for m in mailoutbox if "/accounts/set-password/" in m.body]
    assert [m.to for m in invitations] == [["jana@stadtnetz.example"]]


def test_nothing_is_created_for_an_address_before_it_is_confirmed(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    browser = _browser()
    with django_capture_on_commit_callbacks(execute=True):
        assert _order_form(browser, plan="community").status_code == 302
    order = Order.objects.get()
    page = browser.get(f"/order/{order.token}/").content.decode()

    assert "we sent an e-mail to jana@stadtnetz.example" in page
    assert not Portal.objects.filter(slug="stadtnetz-kiel").exists()
    link = _confirm_link(mailoutbox[-1])
    assert browser.get(link).status_code == 200
    assert not Portal.objects.filter(slug="stadtnetz-kiel").exists()  # GET changes nothing

    stranger = _browser()  # the mailbox owner may confirm on another device
    with django_capture_on_commit_callbacks(execute=True):
        assert stranger.post(link).status_code == 302
    assert Portal.objects.filter(slug="stadtnetz-kiel").exists()
    assert stranger.get(f"/order/{order.token}/").status_code == 200
    tampered = link.replace("/confirm/", "/confirm/x")
    assert stranger.post(tampered).status_code == 400


def test_a_second_browser_losing_the_race_for_a_subdomain_is_told_it_is_taken(committed):
    """Two browsers submit at the same moment; the loser's insert waits on the unique index and
    fails. It must get "taken", not the winner's order (which used to hand out its token)."""
    plan = Plan.objects.get(key="community")
    inserted, release = threading.Event(), threading.Event()
    winner: dict = {}

    def first_browser():
        from django.db import transaction

        try:
            with transaction.atomic():
                winner["order"] = Order.objects.create(
                    **{
                        k: v
                        for k, v in order_data(plan=plan, subdomain="wettlauf").items()
                        if k != "accept_terms"
                    },
                    browser="winner",
                )
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_browser)
    thread.start()
    try:
        assert inserted.wait(10)
        threading.Timer(0.5, release.set).start()  # commit while our insert waits on it
        with pytest.raises(ValidationError) as refused:
            services.order_place(
                browser="loser", **order_data(plan="community", subdomain="wettlauf")
            )
        assert "already taken" in str(refused.value)
    finally:
        release.set()
        thread.join(10)
        Order.objects.filter(subdomain="wettlauf").delete()
    assert "order" in winner


def test_the_webhook_without_billing_configured_answers_503_not_500(db, settings, client):
    settings.STRIPE_SECRET_KEY = None
    response = client.post(
        "/stripe/webhook/", b"{}", content_type="application/json", HTTP_HOST="localhost"
    )
    assert response.status_code == 503
    assert b"not configured" in response.content
