"""Pages of moderation: the report form, a member's own reports and warnings, and the
moderators' queue with its decisions. Thin: input is parsed here, rules live in
moderation.services and moderation.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from moderation import selectors, services
from moderation.forms import DecisionForm, ReportForm
from moderation.models import Outcome
from moderation.permissions import may_block, moderator_required


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return exc.messages


@login_required
def report(request):
    source = request.POST if request.method == "POST" else request.GET
    label, pk = source.get("type", ""), source.get("id", "")
    if not label and not pk:
        # Reached without naming anything: say how to report instead of a bare error.
        return render(request, "moderation/report_missing.html", status=400)
    target = selectors.target_to_report(user=request.user, label=label, pk=pk)
    context = {"target": target, "label": target._meta.label_lower, "item": _item(target)}
    if request.method != "POST":
        return render(request, "moderation/report.html", {**context, "form": ReportForm()})
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.report_file(
                reporter=request.user,
                target=target,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            for error in _errors(exc):
                form.add_error(None, error)
        else:
            messages.success(
                request, _("Thank you. The moderators will look at it as soon as they can.")
            )
            return redirect(context["item"].link or "moderation:mine")
    return render(request, "moderation/report.html", {**context, "form": form}, status=400)


def _item(target) -> selectors.Item:
    return selectors.Item(
        label=target._meta.label_lower,
        pk=target.pk,
        target=target,
        space=selectors.space_of_target(target),
    )


@login_required
def mine(request):
    return render(
        request,
        "moderation/mine.html",
        {
            "reports": selectors.own_reports(user=request.user),
            "warnings": selectors.own_warnings(user=request.user),
        },
    )


def _queue_page(request, *, status: int = 200, failed=None, errors=(), posted=None):
    items = selectors.queue(user=request.user)
    general = list(errors)
    for item in items:
        if failed is not None and (item.label, item.pk) == failed:
            # The error is shown at the item, with what the moderator wrote kept.
            item.errors, item.posted, general = list(errors), posted or {}, []
    return render(
        request,
        "moderation/queue.html",
        {"items": items, "can_block": may_block(request.user), "decision_errors": general},
        status=status,
    )


@moderator_required
def queue(request):
    return _queue_page(request)


@moderator_required
def resolved(request):
    return render(
        request,
        "moderation/resolved.html",
        {"items": selectors.resolved(user=request.user)},
    )


_OUTCOMES = {
    "hide": Outcome.HIDDEN,
    "warn": Outcome.WARNED,
    "block": Outcome.BLOCKED,
    "dismiss": Outcome.NO_ACTION,
}


@moderator_required
@require_POST
def decide(request):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _queue_page(
            request,
            status=400,
            errors=[_("That decision was not understood; please try again.")],
        )
    data = form.cleaned_data
    # Http404 / PermissionDenied for what this moderator may not act on.
    try:
        target = selectors.target_to_moderate(user=request.user, label=data["type"], pk=data["id"])
    except Http404:
        if data["action"] != "dismiss":
            raise
        # The reported item is gone; its open reports can still be closed.
        services.reports_close_orphaned(
            moderator=request.user, label=data["type"], pk=data["id"], note=data["note"]
        )
        messages.success(request, _("The reports are closed without action."))
        return redirect("moderation:queue")
    try:
        if data["action"] == "unhide":
            services.content_unhide(moderator=request.user, target=target)
            done = _("The content is shown again.")
        else:
            services.target_decide(
                moderator=request.user,
                target=target,
                outcome=_OUTCOMES[data["action"]],
                note=data["note"],
                warning=data["warning"],
            )
            done = {
                "hide": _("The content is hidden."),
                "warn": _("The author has been warned."),
                "block": _("The member has been blocked."),
                "dismiss": _("The reports are closed without action."),
            }[data["action"]]
    except ValidationError as exc:
        return _queue_page(
            request,
            status=400,
            failed=(data["type"].lower(), data["id"]),
            errors=_errors(exc),
            posted=data,
        )
    messages.success(request, done)
    return redirect(
        "moderation:resolved" if request.POST.get("next") == "resolved" else "moderation:queue"
    )
