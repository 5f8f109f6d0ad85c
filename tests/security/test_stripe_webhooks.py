"""The Stripe webhook under attack and under Stripe's own delivery quirks.

Every request is signed as Stripe signs it (`t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<body>")`)
unless the case is about the signature. Stripe is localstripe, reached over HTTP through the SDK;
the database is real. What a user would notice is the portal's billing state (status, plan,
cancellation) and the billing rows of the audit log: each case asserts those, and that the answer
is 400 for a bad signature or body, 2xx for what we acknowledge, never a 500 for bad input.
The concurrency cases run on committed data in threads (each its own connection) and clean up.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from billing.models import BillingAccount, StripeEvent
from billing.services import stripe_plans_sync
from billing.services.subscriptions import subscription_apply
from billing.stripe_api import client as stripe_client
from billing.stripe_api import price_id
from core.event_types import EventType
from core.models import AuditEvent
from features.models import Plan
from tests.billing.conftest import (
    GOOD_CARD,
    WEBHOOK_SECRET,
    card,
    running_localstripe,
    stripe_env,
)

URL = "/stripe/webhook/"


# --- delivering events -----------------------------------------------------------------------


def sign(body: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def deliver(body: bytes | dict, *, signature: str | None = None, client: Client | None = None):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    headers = {} if signature == "" else {"HTTP_STRIPE_SIGNATURE": signature or sign(body)}
    return (client or Client()).post(
        URL, body, content_type="application/json", HTTP_HOST="localhost", **headers
    )


_ids = iter(range(10**9))


def event(kind: str, obj: dict, *, event_id: str | None = None, created: int | None = None):
    return {
        "id": event_id or f"evt_sec_{next(_ids)}",
        "object": "event",
        "api_version": "2020-08-27",
        "type": kind,
        "livemode": False,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
    }


def subscription_event(account, kind="customer.subscription.updated", **fields):
    obj = {
        "id": account.stripe_subscription_id,
        "object": "subscription",
        "customer": account.stripe_customer_id,
        "status": "active",
    }
    obj.update(fields.pop("obj", {}))
    return event(kind, obj, **fields)


def invoice_event(account, kind="invoice.paid", **fields):
    obj = {
        "id": "in_sec",
        "object": "invoice",
        "customer": account.stripe_customer_id,
        "subscription": account.stripe_subscription_id,
        "status": "paid",
    }
    return event(kind, obj, **fields)


def billing_rows(portal) -> list[str]:
    """What the operators read in the audit log about this portal's billing."""
    return list(
        AuditEvent.objects.filter(portal=portal, event_type=EventType.BILLING_CHANGED)
        .order_by("pk")
        .values_list("detail__summary", flat=True)
    )


def stripe_subscription(email: str, *, stripe=None):
    """A customer with a card and a running Professional subscription at (local)stripe."""
    stripe = stripe or stripe_client()
    customer = stripe.Customer.create(email=email)
    method = card(GOOD_CARD)
    stripe.PaymentMethod.attach(method, customer=customer.id)
    stripe.Customer.modify(customer.id, invoice_settings={"default_payment_method": method})
    plan = Plan.objects.get(key="professional")
    return stripe.Subscription.create(
        customer=customer.id,
        items=[{"plan": price_id("professional", "month", plan.monthly_price_cents)}],
    )


@pytest.fixture(scope="module")
def localstripe_url():
    # A server of this module's own: its account and subscription live through the module.
    with running_localstripe() as url:
        yield url


_plans_synced: set[str] = set()


@pytest.fixture
def billing_on(settings, localstripe_url):
    """Billing configured against this module's localstripe, our plans there (synced once)."""
    for name, value in stripe_env(localstripe_url).items():
        setattr(settings, name, value)
    if localstripe_url not in _plans_synced:
        stripe_plans_sync()
        _plans_synced.add(localstripe_url)
    return localstripe_url


def _account_out_of_step(portal) -> BillingAccount:
    """A Professional portal's billing account, out of step with Stripe (incomplete and
    cancelling here, active and running there): a processed event visibly repairs it."""
    subscription = stripe_subscription(f"billing@{portal.schema_name}.example")
    BillingAccount.objects.create(
        portal=portal,
        stripe_customer_id=subscription.customer,
        stripe_subscription_id=subscription.id,
        billing_email=f"billing@{portal.schema_name}.example",
        paid_plan_id="professional",
        status="incomplete",
        cancel_at_period_end=True,
    )
    return BillingAccount.objects.select_related("portal").get(portal=portal)


@pytest.fixture
def account(db, billing_on, portal_b):
    assert portal_b.plan_id == "professional"
    return _account_out_of_step(portal_b)


def in_step_with_stripe(account) -> bool:
    account.refresh_from_db()
    account.portal.refresh_from_db()
    return (
        account.status == "active"
        and not account.cancel_at_period_end
        and account.portal.plan_id == "professional"
    )


def untouched(account) -> bool:
    account.refresh_from_db()
    return account.status == "incomplete" and account.cancel_at_period_end


# --- signatures ------------------------------------------------------------------------------


def test_a_correctly_signed_event_is_applied_once_and_recorded(account):
    response = deliver(subscription_event(account, event_id="evt_ok"))
    assert response.status_code == 200, response.content
    assert in_step_with_stripe(account)
    assert StripeEvent.objects.filter(event_id="evt_ok").count() == 1
    assert billing_rows(account.portal)[-2:] == [
        "status incomplete -> active",
        "cancel_at_period_end True -> False",
    ]


def _body_and_mac(body: bytes, at: int, secret: str = WEBHOOK_SECRET) -> str:
    return hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()


BAD_SIGNATURES = {
    "missing header": lambda body, now: "",
    "empty header": lambda body, now: " ",
    "wrong secret": lambda body, now: sign(body, secret="whsec_guessed"),
    "empty secret": lambda body, now: sign(body, secret=""),
    "signature of another body": lambda body, now: sign(body + b" "),
    "signature for another timestamp": lambda body, now: (
        f"t={now},v1={_body_and_mac(body, now - 1)}"
    ),
    "v0 scheme only": lambda body, now: f"t={now},v0={_body_and_mac(body, now)}",
    "no timestamp": lambda body, now: f"v1={_body_and_mac(body, now)}",
    "timestamp not a number": lambda body, now: f"t=now,v1={_body_and_mac(body, now)}",
    "signed timestamp with a plus sign": lambda body, now: (
        f"t=+{now},v1={_body_and_mac(body, now)}"
    ),
    "two timestamps": lambda body, now: f"t={now},t={now - 1},v1={_body_and_mac(body, now)}",
    "truncated signature": lambda body, now: f"t={now},v1={_body_and_mac(body, now)[:-2]}",
    "upper-case hex": lambda body, now: f"t={now},v1={_body_and_mac(body, now).upper()}",
    "signature without value": lambda body, now: f"t={now},v1=",
    "garbage": lambda body, now: "\u00e4\u00f6\u00fc;;==,,",
    "sha256 of the body, no key": lambda body, now: (
        f"t={now},v1={hashlib.sha256(f'{now}.'.encode() + body).hexdigest()}"
    ),
}


@pytest.mark.parametrize("case", BAD_SIGNATURES, ids=list(BAD_SIGNATURES))
def test_a_bad_or_missing_signature_is_refused_with_400_and_changes_nothing(account, case):
    body = json.dumps(subscription_event(account, event_id="evt_forged")).encode()
    now = int(time.time())
    rows = billing_rows(account.portal)
    response = deliver(body, signature=BAD_SIGNATURES[case](body, now))
    assert response.status_code == 400, response.content
    assert response.content == b"bad signature"
    assert untouched(account)
    assert billing_rows(account.portal) == rows
    assert not StripeEvent.objects.filter(event_id="evt_forged").exists()
    # Positive control: the same body, correctly signed, goes through.
    assert deliver(body).status_code == 200
    assert in_step_with_stripe(account)


def test_one_good_signature_among_several_is_accepted_as_during_secret_rotation(account):
    body = json.dumps(subscription_event(account)).encode()
    now = int(time.time())
    header = (
        f"t={now},v1={_body_and_mac(body, now, 'whsec_old')},"
        f"v1={_body_and_mac(body, now)},v0=deadbeef"
    )
    assert deliver(body, signature=header).status_code == 200
    assert in_step_with_stripe(account)


@pytest.mark.parametrize(
    "offset, accepted",
    [
        (-10 * 86400, False),
        (-3600, False),
        (-330, False),
        (-240, True),
        (0, True),
        (240, True),
        (330, False),
        (3600, False),
        (365 * 86400, False),
    ],
    ids=lambda value: str(value),
)
def test_the_signature_timestamp_must_be_within_five_minutes_either_way(account, offset, accepted):
    body = json.dumps(subscription_event(account)).encode()
    response = deliver(body, signature=sign(body, at=int(time.time()) + offset))
    if accepted:
        assert response.status_code == 200, response.content
        assert in_step_with_stripe(account)
    else:
        assert (response.status_code, response.content) == (400, b"bad signature")
        assert untouched(account)
        assert not StripeEvent.objects.exists()


def test_without_a_webhook_secret_nothing_signed_with_an_empty_key_gets_in(account, settings):
    body = json.dumps(subscription_event(account)).encode()
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = deliver(body, signature=sign(body, secret=""))
    assert response.status_code == 503
    assert untouched(account)
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET  # positive control
    assert deliver(body).status_code == 200
    assert in_step_with_stripe(account)


def test_the_webhook_answers_only_post(account):
    assert Client().get(URL, HTTP_HOST="localhost").status_code == 405
    assert untouched(account)


# --- replays ---------------------------------------------------------------------------------


def test_a_replayed_request_is_acknowledged_as_a_duplicate_and_has_no_second_effect(account):
    body = json.dumps(subscription_event(account, event_id="evt_replay")).encode()
    header = sign(body)
    assert deliver(body, signature=header).status_code == 200
    rows = billing_rows(account.portal)
    # Someone flips our record back; a replay of the captured request must not repair or
    # re-audit anything, it is the same event.
    BillingAccount.objects.filter(pk=account.pk).update(status="incomplete")
    for _ in range(3):
        again = deliver(body, signature=header)
        assert (again.status_code, again.content) == (200, b"duplicate")
    assert billing_rows(account.portal) == rows
    account.refresh_from_db()
    assert account.status == "incomplete"
    assert StripeEvent.objects.filter(event_id="evt_replay").count() == 1


def test_a_replay_with_another_body_under_the_same_event_id_is_a_duplicate(account):
    assert deliver(invoice_event(account, event_id="evt_same")).status_code == 200
    rows = billing_rows(account.portal)
    BillingAccount.objects.filter(pk=account.pk).update(status="incomplete")
    again = deliver(
        subscription_event(account, "customer.subscription.deleted", event_id="evt_same")
    )
    assert (again.status_code, again.content) == (200, b"duplicate")
    assert billing_rows(account.portal) == rows
    assert StripeEvent.objects.get(event_id="evt_same").type == "invoice.paid"


def test_a_captured_request_replayed_after_the_tolerance_is_refused(account):
    body = json.dumps(subscription_event(account, event_id="evt_captured")).encode()
    captured = sign(body, at=int(time.time()) - 6 * 60)
    assert deliver(body, signature=captured).status_code == 400
    assert untouched(account)
    assert deliver(body).status_code == 200  # positive control: Stripe's own retry, re-signed
    assert in_step_with_stripe(account)


# --- order of delivery -----------------------------------------------------------------------


ORDERS = {
    "updated, created, invoice.paid": [
        "customer.subscription.updated",
        "customer.subscription.created",
        "invoice.paid",
    ],
    "invoice.paid, created, updated": [
        "invoice.paid",
        "customer.subscription.created",
        "customer.subscription.updated",
    ],
    "invoice.paid before invoice.created": ["invoice.paid", "invoice.created"],
    "payment_succeeded, payment_failed (stale)": [
        "invoice.payment_succeeded",
        "invoice.payment_failed",
    ],
}


@pytest.mark.parametrize("case", ORDERS, ids=list(ORDERS))
def test_events_in_any_order_leave_stripes_current_state(account, case):
    """The payloads are stale (they say incomplete/past_due); Stripe says active."""
    for number, kind in enumerate(ORDERS[case]):
        created = int(time.time()) - 100 * number
        if kind.startswith("invoice."):
            payload = invoice_event(account, kind, created=created)
        else:
            payload = subscription_event(
                account, kind, created=created, obj={"status": "incomplete"}
            )
        response = deliver(payload)
        assert response.status_code == 200, (kind, response.content)
        if kind == "invoice.created":
            assert response.content == b"ignored: not handled"
    assert in_step_with_stripe(account)
    account.refresh_from_db()
    assert account.grace_until is None


def test_an_older_event_after_a_newer_one_does_not_roll_the_state_back(account):
    stripe = stripe_client()
    stripe.Subscription.modify(account.stripe_subscription_id, cancel_at_period_end=True)
    now = int(time.time())
    newer = subscription_event(account, created=now, obj={"cancel_at_period_end": True})
    older = subscription_event(
        account, "customer.subscription.created", created=now - 3600, obj={"status": "incomplete"}
    )
    assert deliver(newer).status_code == 200
    assert deliver(older).status_code == 200
    account.refresh_from_db()
    assert account.status == "active" and account.cancel_at_period_end is True
    assert account.portal.plan_id == "professional"


def test_a_late_event_about_a_replaced_subscription_does_not_end_the_portals_plan(account):
    stripe = stripe_client()
    old_id = account.stripe_subscription_id
    plan = Plan.objects.get(key="professional")
    replacement = stripe.Subscription.create(
        customer=account.stripe_customer_id,
        items=[{"plan": price_id("professional", "month", plan.monthly_price_cents)}],
    )
    stripe.Subscription.cancel(old_id)
    BillingAccount.objects.filter(pk=account.pk).update(
        stripe_subscription_id=replacement.id, status="active", cancel_at_period_end=False
    )
    late = event(
        "customer.subscription.deleted",
        {"id": old_id, "object": "subscription", "customer": account.stripe_customer_id},
    )
    response = deliver(late)
    assert response.status_code == 200
    account.refresh_from_db()
    account.portal.refresh_from_db()
    assert account.stripe_subscription_id == replacement.id
    assert account.status == "active" and account.portal.plan_id == "professional"
    # Positive control: the current subscription ending does end the plan.
    stripe.Subscription.cancel(replacement.id)
    ended = event(
        "customer.subscription.deleted",
        {"id": replacement.id, "object": "subscription", "customer": account.stripe_customer_id},
    )
    assert deliver(ended).status_code == 200
    account.refresh_from_db()
    account.portal.refresh_from_db()
    assert account.status == "canceled" and account.portal.plan_id == "community"


# --- whose event ----------------------------------------------------------------------------


def test_an_event_for_an_unknown_customer_is_acknowledged_and_changes_nothing(account):
    payload = event(
        "customer.subscription.updated",
        {"id": "sub_nobody", "object": "subscription", "customer": "cus_nobody"},
    )
    rows = billing_rows(account.portal)
    response = deliver(payload)
    assert (response.status_code, response.content) == (200, b"unknown customer")
    assert untouched(account) and billing_rows(account.portal) == rows
    assert StripeEvent.objects.get(event_id=payload["id"]).outcome == "unknown customer"


def test_another_customers_subscription_named_with_our_customer_is_not_taken_up(account):
    stranger = stripe_subscription("someone@else.example")
    payload = event(
        "customer.subscription.updated",
        {"id": stranger.id, "object": "subscription", "customer": account.stripe_customer_id},
    )
    response = deliver(payload)
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.stripe_subscription_id != stranger.id
    assert untouched(account)
    assert deliver(subscription_event(account)).status_code == 200  # positive control
    assert in_step_with_stripe(account)


def test_an_expanded_customer_object_is_read_like_an_id(account):
    """Our record lost its subscription id: the event is matched by its (expanded) customer."""
    subscription_id = account.stripe_subscription_id
    BillingAccount.objects.filter(pk=account.pk).update(stripe_subscription_id="")
    payload = subscription_event(account, obj={"customer": {"id": account.stripe_customer_id}})
    payload["data"]["object"]["id"] = subscription_id
    assert deliver(payload).status_code == 200
    assert in_step_with_stripe(account)
    assert account.stripe_subscription_id == subscription_id


@pytest.mark.parametrize("stripe_livemode, event_livemode", [(False, True), (True, False)])
def test_an_event_of_the_other_mode_is_acknowledged_and_ignored(
    account, settings, stripe_livemode, event_livemode
):
    settings.STRIPE_LIVEMODE = stripe_livemode
    payload = subscription_event(account)
    payload["livemode"] = event_livemode
    response = deliver(payload)
    assert (response.status_code, response.content) == (200, b"ignored: other mode")
    assert untouched(account)
    assert not StripeEvent.objects.exists()
    payload["livemode"] = stripe_livemode  # positive control
    assert deliver(payload).status_code == 200
    assert in_step_with_stripe(account)


@pytest.mark.parametrize(
    "kind", ["customer.created", "invoice.created", "charge.succeeded", "v2.something.new"]
)
def test_an_event_type_we_do_not_handle_is_acknowledged_and_ignored(account, kind):
    response = deliver(event(kind, {"id": "x_1", "object": kind.split(".")[0]}))
    assert (response.status_code, response.content) == (200, b"ignored: not handled")
    assert untouched(account)


def test_an_invoice_without_subscription_is_acknowledged_once(account):
    payload = event("invoice.paid", {"id": "in_one_off", "object": "invoice", "customer": "c"})
    assert deliver(payload).content == b"invoice without subscription"
    assert deliver(payload).content == b"duplicate"
    assert untouched(account)


def test_an_invoice_naming_its_subscription_the_newer_way_is_understood(account):
    payload = invoice_event(account)
    del payload["data"]["object"]["subscription"]
    payload["data"]["object"]["parent"] = {
        "type": "subscription_details",
        "subscription_details": {"subscription": account.stripe_subscription_id},
    }
    assert deliver(payload).status_code == 200
    assert in_step_with_stripe(account)


# --- malformed bodies ------------------------------------------------------------------------


def _without(path: str):
    def mutate(payload):
        *parents, last = path.split(".")
        target = payload
        for key in parents:
            target = target[key]
        del target[last]

    return mutate


def _setting(path: str, value):
    def mutate(payload):
        *parents, last = path.split(".")
        target = payload
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


MALFORMED_EVENTS = {
    "no id": _without("id"),
    "empty id": _setting("id", ""),
    "id a number": _setting("id", 42),
    "id null": _setting("id", None),
    "id too long": _setting("id", "evt_" + "x" * 200),
    "no type": _without("type"),
    "type a number": _setting("type", 7),
    "type a list": _setting("type", ["customer.subscription.updated"]),
    "no livemode": _without("livemode"),
    "livemode a string": _setting("livemode", "false"),
    "livemode a number": _setting("livemode", 0),
    "created a string": _setting("created", "yesterday"),
    "created a boolean": _setting("created", True),
    "no data": _without("data"),
    "data a string": _setting("data", "object"),
    "no data.object": _without("data.object"),
    "data.object null": _setting("data.object", None),
    "data.object a list": _setting("data.object", [{"id": "sub_1"}]),
    "data.object an invoice": _setting("data.object.object", "invoice"),
    "no subscription id": _without("data.object.id"),
    "subscription id a number": _setting("data.object.id", 12),
    "subscription id an object without id": _setting("data.object.id", {"x": 1}),
    "customer a number": _setting("data.object.customer", 5),
    "customer a list": _setting("data.object.customer", ["cus_1"]),
}


@pytest.mark.parametrize("case", MALFORMED_EVENTS, ids=list(MALFORMED_EVENTS))
def test_a_signed_but_malformed_event_is_refused_with_400_never_500(account, case):
    payload = subscription_event(account)
    broken = copy.deepcopy(payload)
    MALFORMED_EVENTS[case](broken)
    response = deliver(broken)
    assert (response.status_code, response.content) == (400, b"malformed payload")
    assert untouched(account)
    assert not StripeEvent.objects.exists()
    assert deliver(payload).status_code == 200  # positive control
    assert in_step_with_stripe(account)


MALFORMED_INVOICES = {
    "subscription a number": _setting("data.object.subscription", 99),
    "subscription empty": _setting("data.object.subscription", ""),
    "subscription a list": _setting("data.object.subscription", ["sub_1"]),
    "object a subscription": _setting("data.object.object", "subscription"),
}


@pytest.mark.parametrize("case", MALFORMED_INVOICES, ids=list(MALFORMED_INVOICES))
def test_a_malformed_invoice_event_is_refused_with_400(account, case):
    payload = invoice_event(account, "invoice.payment_failed")
    MALFORMED_INVOICES[case](payload)
    response = deliver(payload)
    assert (response.status_code, response.content) == (400, b"malformed payload")
    assert untouched(account)
    account.refresh_from_db()
    assert account.grace_until is None


MALFORMED_BODIES = {
    "not JSON": b"not json",
    "empty": b"",
    "truncated JSON": b'{"id": "evt_1", "type": ',
    "JSON array": b"[]",
    "JSON string": b'"customer.subscription.updated"',
    "JSON null": b"null",
    "JSON number": b"1e999",
    "invalid UTF-8": b'{"id": "evt_\xff\xfe"}',
    "deeply nested": b'{"data": ' * 100_000 + b"1" + b"}" * 100_000,
    "NaN for livemode": b'{"id": "evt_n", "type": "invoice.paid", "livemode": NaN}',
}


@pytest.mark.parametrize("case", MALFORMED_BODIES, ids=list(MALFORMED_BODIES))
def test_a_signed_body_that_is_no_event_is_refused_with_400(account, case):
    response = deliver(MALFORMED_BODIES[case])
    assert (response.status_code, response.content) == (400, b"malformed payload")
    assert untouched(account)
    assert not StripeEvent.objects.exists()


def test_a_failure_at_stripe_answers_500_records_nothing_and_the_retry_applies(account, settings):
    payload = subscription_event(account, event_id="evt_retry")
    base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    assert deliver(payload).status_code == 500
    assert untouched(account) and not StripeEvent.objects.exists()
    settings.STRIPE_API_BASE = base
    assert deliver(payload).status_code == 200  # Stripe's retry
    assert in_step_with_stripe(account)
    assert StripeEvent.objects.filter(event_id="evt_retry").count() == 1


# --- concurrency, on committed data ----------------------------------------------------------


def in_thread(target) -> tuple[threading.Thread, list]:
    """Run `target` in a thread with its own database connection; failures land in the list."""
    failures: list = []

    def run():
        try:
            target()
        except BaseException as exc:  # reported by the test
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, failures


@pytest.fixture
def committed_account(committed, billing_on, portal_b):
    """The same account, committed, for deliveries from several threads."""
    account = _account_out_of_step(portal_b)
    try:
        yield account
    finally:
        StripeEvent.objects.filter(event_id__startswith="evt_race").delete()
        AuditEvent.objects.filter(portal=portal_b, event_type__startswith="billing.").delete()
        BillingAccount.objects.filter(pk=account.pk).delete()


def test_the_same_event_delivered_four_times_at_once_has_its_effect_once(committed_account):
    body = json.dumps(subscription_event(committed_account, event_id="evt_race_same")).encode()
    header = sign(body)
    answers: list[bytes] = []
    start = threading.Barrier(4)

    def stripe_delivers():
        start.wait(10)
        answers.append(deliver(body, signature=header).content)

    runs = [in_thread(stripe_delivers) for _ in range(4)]
    for thread, _ in runs:
        thread.join(30)
    assert [failure for _, failures in runs for failure in failures] == []
    assert sorted(answers) == [
        b"duplicate",
        b"duplicate",
        b"duplicate",
        b"status incomplete -> active; cancel_at_period_end True -> False",
    ]
    assert StripeEvent.objects.filter(event_id="evt_race_same").count() == 1
    assert billing_rows(committed_account.portal) == [
        "status incomplete -> active",
        "cancel_at_period_end True -> False",
    ]
    assert in_step_with_stripe(committed_account)


def _waiting_on_a_lock(timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def test_an_event_whose_fetch_is_overtaken_by_a_newer_apply_does_not_roll_it_back(
    committed_account,
):
    """The late event asked Stripe while the account was locked by a newer sync, which then
    applied a newer state (the portal cancelled) and committed: the late event must not write
    its older answer (still running) over it."""
    stripe = stripe_client()
    locked, release = threading.Event(), threading.Event()

    def newer_sync():
        with transaction.atomic():
            row = (
                BillingAccount.objects.select_for_update()
                .select_related("portal")
                .get(pk=committed_account.pk)
            )
            locked.set()
            release.wait(20)
            stripe.Subscription.modify(row.stripe_subscription_id, cancel_at_period_end=True)
            newer = stripe.Subscription.retrieve(
                row.stripe_subscription_id, expand=["latest_invoice"]
            )
            subscription_apply(row, newer)

    answers: list = []
    late = None
    holder, holder_failures = in_thread(newer_sync)
    try:
        assert locked.wait(10)
        late_event = subscription_event(committed_account, event_id="evt_race_late")
        late, late_failures = in_thread(lambda: answers.append(deliver(late_event)))
        assert _waiting_on_a_lock(), "the late event must have asked Stripe and wait for the row"
    finally:
        release.set()
        holder.join(30)
    assert late is not None
    late.join(30)
    assert holder_failures == [] and late_failures == []
    assert answers[0].status_code == 200, answers[0].content
    committed_account.refresh_from_db()
    assert committed_account.status == "active"
    assert committed_account.cancel_at_period_end is True
    assert StripeEvent.objects.filter(event_id="evt_race_late").count() == 1
