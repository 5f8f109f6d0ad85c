"""Orders at each step of the flow, made through the services as the order pages make them."""

from __future__ import annotations

from billing import services
from billing.models import Order
from tests.billing.conftest import GOOD_CARD, card

BROWSER = "browser-of-jana"  # the key the order pages derive from a session


def order_data(**overrides) -> dict:
    data = {
        "organisation": "Stadtnetz Kiel",
        "contact_name": "Jana Petersen",
        "contact_email": "jana@stadtnetz.example",
        "subdomain": "stadtnetz-kiel",
        "plan": "professional",
        "interval": "month",
        "street": "Rathausplatz 1",
        "postal_code": "24103",
        "city": "Kiel",
        "country": "DE",
        "vat_id": "",
        "accept_terms": True,
    }
    data.update(overrides)
    return data


def order_placed(*, browser: str = BROWSER, **overrides) -> Order:
    return services.order_place(browser=browser, **order_data(**overrides))


def order_confirmed(*, browser: str = BROWSER, **overrides) -> Order:
    """Placed and confirmed with the link from the mail (Community: its portal exists)."""
    order = order_placed(browser=browser, **overrides)
    return services.order_confirm(
        order=order, signature=services.confirmation_signature(order), browser=browser
    )


def order_paid(capture_on_commit, *, number: str = GOOD_CARD, **overrides) -> Order:
    """Confirmed and paid; the fulfilment (sent on commit) has run."""
    order = order_confirmed(**overrides)
    with capture_on_commit(execute=True):
        step = services.order_pay(order=order, payment_method=card(number))
    assert step.status == "succeeded", step
    order.refresh_from_db()
    return order
