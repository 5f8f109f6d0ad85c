"""The member's notifications, their delivery settings, following, and the one-click
unsubscribe page of the mails.

Only the recipient's own notifications are found (selectors.notifications_of): another member's
id is the same 404 as a missing one. Following needs the target to be visible to the member
(core.visibility), else 404 as well.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core import visibility
from notifications import selectors, services
from notifications.forms import SettingsForm
from notifications.tokens import member_from_token


def _local(url: str | None) -> str | None:
    """`url` if it is a path on this site, else None (never an open redirect)."""
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return None


@login_required
def notification_list(request):
    page = selectors.notification_page(user=request.user, cursor=request.GET.get("after", ""))
    if page is None:
        return HttpResponseBadRequest(_("This page link is broken. Start again from the list."))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "first_page": not request.GET.get("after")},
    )


@login_required
def notification_open(request, pk: int):
    notification = get_object_or_404(selectors.notifications_of(user=request.user), pk=pk)
    services.notification_mark_read(notification=notification)
    return redirect(_local(notification.url) or "notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(
        request, _("All notifications are marked as read (%(count)s).") % {"count": count}
    )
    return redirect("notifications:list")


@login_required
def settings_page(request):
    current = selectors.settings_of(user=request.user)
    form = SettingsForm(request.POST or None, current=current)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.notification_settings_update(
                    user=request.user,
                    default=form.cleaned_data["default"],
                    overrides=form.overrides(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notifications:settings")
        return render(request, "notifications/settings.html", {"form": form}, status=400)
    return render(request, "notifications/settings.html", {"form": form})


def _target(request):
    label = request.POST.get("type", "")
    if label not in visibility.registered():
        raise Http404
    model = visibility.registered()[label].model
    try:
        pk = int(request.POST.get("id", ""))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(visibility.visible(model, request.user), pk=pk)


def _back(request, target):
    return redirect(_local(request.POST.get("next")) or _local(target.get_absolute_url()) or "/")


@login_required
@require_POST
def follow(request):
    target = _target(request)
    services.follow(user=request.user, target=target)
    messages.success(request, _("You follow “%(target)s” now.") % {"target": target})
    return _back(request, target)


@login_required
@require_POST
def unfollow(request):
    target = _target(request)
    services.unfollow(user=request.user, target=target)
    messages.success(request, _("You no longer follow “%(target)s”.") % {"target": target})
    return _back(request, target)


# The token is the authentication: mail programs send the RFC 8058 one-click POST without a
# session or a CSRF token. The GET only shows the confirmation page with its button.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    user = member_from_token(token)
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        services.notifications_unsubscribe(user=user)
        return render(request, "notifications/unsubscribe_done.html", {"member": user})
    return render(request, "notifications/unsubscribe.html", {"member": user, "token": token})
