"""Billing pages: the order flow on the platform site, the billing page in each portal.

Thin: parse, call one service or selector, answer. An order page answers only the browser that
owns the order (else 404, as for a missing one); no GET changes anything, at Stripe or here.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import selectors, services
from billing.forms import BillingEmailForm, OrderForm
from billing.models import Interval, Order
from billing.stripe_api import is_configured
from tenants.middleware import portal_csp
from tenants.selectors import portal_base_url


def _stripe_context() -> dict:
    return {"stripe_js_url": settings.STRIPE_JS_URL, "stripe_key": settings.STRIPE_PUBLISHABLE_KEY}


def _origin(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


def _with_stripe_csp(response):
    # The portal policy plus what Stripe.js needs: its script, its API calls, its 3-D Secure frames.
    js = _origin(settings.STRIPE_JS_URL)
    api = _origin(settings.STRIPE_API_BASE or "https://api.stripe.com")
    response["Content-Security-Policy"] = portal_csp(
        script_src=(js,), connect_src=(api, js), frame_src=(js, "https://hooks.stripe.com")
    )
    return response


def _browser(request, *, create: bool = False) -> str:
    """An opaque key of this browser's session, stored with the orders it owns."""
    session = request.session
    if session.session_key is None:
        if not create:
            return ""
        session["orders"] = True  # marks the session modified, so its cookie is set
        session.save()
    return salted_hmac(
        "allmende.order.browser", session.session_key, algorithm="sha256"
    ).hexdigest()


def _json(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def order_form(request):
    plans = selectors.orderable_plans()
    form = OrderForm(
        request.POST or None,
        plans=plans,
        domain=settings.PLATFORM_DOMAIN,
        initial={"plan": request.GET.get("plan", "community")},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                order = services.order_place(
                    **form.cleaned_data,
                    browser=_browser(request, create=True),
                    language=request.LANGUAGE_CODE,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            else:
                return redirect("billing:order", token=order.token)
        else:
            status = 400
    return render(
        request,
        "billing/order_form.html",
        {"form": form, "plans": plans, "billing_ready": is_configured()},
        status=status,
    )


@require_GET
def subdomain_check(request):
    try:
        name = services.subdomain_available(request.GET.get("subdomain", ""))
    except ValidationError as exc:
        return JsonResponse({"available": False, "message": " ".join(exc.messages)})
    host = f"{name}.{settings.PLATFORM_DOMAIN}"
    return JsonResponse(
        {"available": True, "message": _("%(host)s is available.") % {"host": host}}
    )


def _owned_order(request, token) -> Order:
    order = selectors.order_for_browser(token, _browser(request))
    if order is None:
        raise Http404("No such order.")
    return order


def _portal_address(order: Order) -> str:
    return portal_base_url(order.portal) if order.portal else ""


def order_page(request, token):
    order = _owned_order(request, token)
    context = {"order": order, "portal_url": _portal_address(order), **_stripe_context()}
    if order.status == Order.Status.AWAITING_PAYMENT:
        context["amount_cents"] = services.plan_price(order.plan, order.interval)
    response = render(request, "billing/order_page.html", context)
    return _with_stripe_csp(response) if order.status == Order.Status.AWAITING_PAYMENT else response


@require_http_methods(["GET", "POST"])
def order_confirm(request, token, signature: str):
    """The page behind the mailed link: GET shows what is confirmed, POST confirms."""
    order = selectors.order_by_token(token)
    if order is None:
        raise Http404("No such order.")
    error = ""
    try:
        services.confirmation_check(order=order, signature=signature)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.method == "POST" and not error:
        try:
            services.order_confirm(
                order=order, signature=signature, browser=_browser(request, create=True)
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except services.BillingError as exc:
            error = str(exc)
        else:
            return redirect("billing:order", token=order.token)
    return render(
        request,
        "billing/order_confirm.html",
        {"order": order, "error": error},
        status=400 if error else 200,
    )


@require_POST
def order_resend(request, token):
    order = _owned_order(request, token)
    try:
        services.order_confirmation_resend(order=order)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("We sent the e-mail again."))
    return redirect("billing:order", token=order.token)


@require_POST
def order_pay(request, token):
    order = _owned_order(request, token)
    payment_method = str(_json(request).get("payment_method", ""))
    if not payment_method.startswith("pm_"):
        return JsonResponse({"status": "failed", "error": _("No card was entered.")}, status=400)
    try:
        step = services.order_pay(order=order, payment_method=payment_method)
    except services.BillingError as exc:
        return JsonResponse({"status": "failed", "error": str(exc)}, status=503)
    return JsonResponse(
        {"status": step.status, "client_secret": step.client_secret, "error": step.error}
    )


@require_http_methods(["GET", "POST"])
def order_status(request, token):
    """GET reads the order's state; POST (after paying in the browser) also asks Stripe, in case
    the browser is faster than the webhook, and finishes the order if it is paid."""
    order = _owned_order(request, token)
    if request.method == "POST" and order.status == Order.Status.AWAITING_PAYMENT:
        services.order_fulfil(order_id=order.pk)
        order = _owned_order(request, token)
    return JsonResponse(
        {"status": order.status, "error": order.error, "portal_url": _portal_address(order)}
    )


@require_POST
def order_setup(request, token):
    """A SetupIntent for entering a card (each one can be confirmed once)."""
    order = _owned_order(request, token)
    if order.status != Order.Status.AWAITING_PAYMENT:
        return JsonResponse({"error": _("This order is not awaiting payment.")}, status=409)
    try:
        secret = services.setup_intent_create(customer_id=order.stripe_customer_id)
    except services.BillingError as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    return JsonResponse({"setup_secret": secret})


def _account_or_404(request):
    account = selectors.account_for(request.portal)
    if account is None:
        raise Http404("This portal has no billing account.")
    return account


def billing_page(request):
    account = selectors.account_for(request.portal)
    professional = selectors.plan_by_key("professional")
    context = {
        "account": account,
        "portal_plan": request.portal.plan_id,
        "professional": professional,
        "email_form": BillingEmailForm(
            initial={"billing_email": account.billing_email if account else request.user.email}
        ),
        "billing_ready": is_configured(),
        "intervals": Interval.choices,
        "can_pay": is_configured()
        and (account is not None or request.portal.plan_id != "professional"),
        **_stripe_context(),
    }
    if is_configured() and account is not None:
        context.update(selectors.account_invoices(account))
    return _with_stripe_csp(render(request, "billing/billing_page.html", context))


CONFIRMED_ACTIONS = ("interval", "cancel", "resume")


def billing_confirm(request, action: str):
    """Before anything that changes what is charged: the amount, and a button to confirm."""
    if action not in CONFIRMED_ACTIONS:
        raise Http404("Unknown action.")
    account = _account_or_404(request)
    context = {
        "account": account,
        "action": action,
        "next_amount": services.plan_price(account.paid_plan, account.interval)
        if account.paid_plan
        else 0,
    }
    if action == "interval":
        target = Interval.YEAR if account.interval == Interval.MONTH else Interval.MONTH
        context.update(
            target=target,
            target_label=Interval(target).label,
            new_price=services.plan_price(account.paid_plan, target) if account.paid_plan else 0,
            charge_now=selectors.interval_change_preview(account, target),
        )
    return render(request, "billing/billing_confirm.html", context)


@require_POST
def billing_action(request, action: str):
    account = _account_or_404(request)
    if action in CONFIRMED_ACTIONS and request.POST.get("confirm") != "yes":
        return redirect("billing_portal:confirm", action=action)
    try:
        if action == "interval":
            services.billing_change_interval(
                account=account, interval=request.POST.get("interval", ""), actor=request.user
            )
            done = _("The payment interval is changed.")
        elif action == "cancel":
            services.billing_cancel_at_period_end(account=account, cancel=True, actor=request.user)
            done = _("Cancelled: Professional stays until the end of the paid period.")
        elif action == "resume":
            services.billing_cancel_at_period_end(account=account, cancel=False, actor=request.user)
            done = _("The subscription continues.")
        elif action == "email":
            form = BillingEmailForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Enter a valid e-mail address."))
            services.billing_set_email(account=account, email=form.cleaned_data["billing_email"])
            done = _("Saved.")
        else:
            raise Http404("Unknown action.")
    except (ValidationError, services.BillingError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, done)
    return redirect("billing_portal:page")


@require_POST
def billing_pay(request):
    body = _json(request)
    payment_method = str(body.get("payment_method", ""))
    if not payment_method.startswith("pm_"):
        return JsonResponse({"status": "failed", "error": _("No card was entered.")}, status=400)
    interval = body.get("interval") if body.get("interval") in Interval.values else Interval.MONTH
    try:
        account = selectors.account_for(request.portal) or services.billing_account_ensure(
            portal=request.portal, email=request.user.email
        )
        upgrading = not account.stripe_subscription_id or account.status in services.ENDED_STATES
        step = services.billing_pay(
            account=account, payment_method=payment_method, interval=interval, actor=request.user
        )
    except services.BillingError as exc:
        return JsonResponse({"status": "failed", "error": str(exc)}, status=503)
    if step.status == "succeeded":
        messages.success(
            request,
            _("Paid: the portal now runs on Professional.")
            if upgrading
            else _("The card is saved and will be used for the next payments."),
        )
    return JsonResponse(
        {
            "status": step.status,
            "client_secret": step.client_secret,
            "error": step.error,
            "next": reverse("billing_portal:page"),
        }
    )


@require_POST
def billing_setup(request):
    account = selectors.account_for(request.portal)
    try:
        secret = services.setup_intent_create(
            customer_id=account.stripe_customer_id if account else None
        )
    except services.BillingError as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    return JsonResponse({"setup_secret": secret})
