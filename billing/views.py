"""Billing pages: the order flow on the platform site, the billing page in each portal."""

from __future__ import annotations

import json
from urllib.parse import urlparse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing import selectors, services
from billing.forms import BillingEmailForm, OrderForm
from billing.models import Interval, Order
from billing.stripe_api import is_configured
from features.models import Plan
from features.permissions import require_portal_admin
from tenants.middleware import portal_csp


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


def order_form(request):
    plans = list(Plan.objects.order_by("position"))
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
                order = services.order_place(**form.cleaned_data, language=request.LANGUAGE_CODE)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            except services.BillingError as exc:
                form.add_error(None, str(exc))
                status = 503
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


def _order_or_404(token) -> Order:
    order = selectors.order_by_token(token)
    if order is None:
        raise Http404("No such order.")
    return order


def _landing_url(order: Order) -> str:
    """Where the new admin lands: their portal's set-password page, or its login."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from tenants.selectors import portal_base_url

    base = portal_base_url(order.portal)
    with tenant_context(order.portal):
        admin = User.objects.filter(email__iexact=order.contact_email).first()
        if admin is None or admin.has_usable_password():
            return f"{base}accounts/login/"
        uid = urlsafe_base64_encode(force_bytes(admin.pk))
        return f"{base}accounts/set-password/{uid}/{default_token_generator.make_token(admin)}/"


def order_page(request, token):
    order = _order_or_404(token)
    context = {"order": order, **_stripe_context()}
    if order.status == Order.Status.AWAITING_PAYMENT:
        context["setup_secret"] = services.setup_intent_secret(customer_id=order.stripe_customer_id)
        context["amount_cents"] = services.plan_price(order.plan, order.interval)
    if order.status == Order.Status.COMPLETED and order.portal:
        context["landing_url"] = _landing_url(order)
    return render(request, "billing/order_page.html", context)


@require_POST
def order_pay(request, token):
    order = _order_or_404(token)
    try:
        payment_method = json.loads(request.body or b"{}").get("payment_method", "")
    except ValueError:
        payment_method = ""
    if not payment_method.startswith("pm_"):
        return JsonResponse({"status": "failed", "error": _("No card was entered.")}, status=400)
    try:
        step = services.order_pay(order=order, payment_method=payment_method)
    except services.BillingError as exc:
        return JsonResponse({"status": "failed", "error": str(exc)}, status=503)
    return JsonResponse(
        {"status": step.status, "client_secret": step.client_secret, "error": step.error}
    )


@require_GET
def order_status(request, token):
    order = _order_or_404(token)
    if order.status == Order.Status.AWAITING_PAYMENT and order.stripe_subscription_id:
        # The browser may be faster than the webhook: look at Stripe ourselves.
        services.order_fulfil(order_id=order.pk)
        order.refresh_from_db()
    body = {"status": order.status, "error": order.error}
    if order.status == Order.Status.COMPLETED and order.portal:
        body["landing_url"] = _landing_url(order)
    return JsonResponse(body)


def _account_or_404(request):
    account = selectors.account_for(request.portal)
    if account is None:
        raise Http404("This portal has no billing account.")
    return account


@login_required
def billing_page(request):
    require_portal_admin(request)
    account = selectors.account_for(request.portal)
    context = {
        "account": account,
        "portal_plan": request.portal.plan_id,
        "email_form": BillingEmailForm(
            initial={"billing_email": account.billing_email if account else request.user.email}
        ),
        "billing_ready": is_configured(),
        "intervals": Interval.choices,
        **_stripe_context(),
    }
    if is_configured():
        if account is not None:
            context.update(services.billing_overview(account))
        if account is not None or request.portal.plan_id != "professional":
            # Looking costs nothing at Stripe: the customer is created when someone pays.
            context["setup_secret"] = services.setup_intent_secret(
                customer_id=account.stripe_customer_id if account else None
            )
    return _with_stripe_csp(render(request, "billing/billing_page.html", context))


@login_required
@require_POST
def billing_action(request, action: str):
    require_portal_admin(request)
    account = _account_or_404(request)
    try:
        if action == "interval":
            services.billing_change_interval(
                account=account, interval=request.POST.get("interval", "")
            )
        elif action == "cancel":
            services.billing_cancel_at_period_end(account=account, cancel=True)
        elif action == "resume":
            services.billing_cancel_at_period_end(account=account, cancel=False)
        elif action == "email":
            form = BillingEmailForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Enter a valid e-mail address."))
            services.billing_set_email(account=account, email=form.cleaned_data["billing_email"])
        else:
            raise Http404("Unknown action.")
    except (ValidationError, services.BillingError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Saved."))
    return redirect("billing_portal:page")


@login_required
@require_POST
def billing_pay(request):
    require_portal_admin(request)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = {}
    payment_method = str(body.get("payment_method", ""))
    if not payment_method.startswith("pm_"):
        return JsonResponse({"status": "failed", "error": _("No card was entered.")}, status=400)
    interval = body.get("interval") if body.get("interval") in Interval.values else Interval.MONTH
    try:
        account = selectors.account_for(request.portal) or services.billing_account_ensure(
            portal=request.portal, email=request.user.email
        )
        step = services.billing_pay(
            account=account, payment_method=payment_method, interval=interval
        )
    except services.BillingError as exc:
        return JsonResponse({"status": "failed", "error": str(exc)}, status=503)
    return JsonResponse(
        {
            "status": step.status,
            "client_secret": step.client_secret,
            "error": step.error,
            "next": reverse("billing_portal:page"),
        }
    )


@require_POST
def order_setup(request, token):
    """A fresh SetupIntent after a declined card (each one can be confirmed once)."""
    order = _order_or_404(token)
    if order.status != Order.Status.AWAITING_PAYMENT:
        return JsonResponse({"error": _("This order is not awaiting payment.")}, status=409)
    return JsonResponse(
        {"setup_secret": services.setup_intent_secret(customer_id=order.stripe_customer_id)}
    )


@login_required
@require_POST
def billing_setup(request):
    require_portal_admin(request)
    account = selectors.account_for(request.portal)
    customer_id = account.stripe_customer_id if account else None
    return JsonResponse({"setup_secret": services.setup_intent_secret(customer_id=customer_id)})
