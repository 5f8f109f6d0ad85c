"""Platform-site pages, the per-portal media endpoint and /favicon.ico on every host."""

from __future__ import annotations

import mimetypes
import os

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.utils._os import safe_join
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from features.catalogue import built
from features.selectors import all_plans
from tenants import selectors
from tenants.celery import enqueue_on_commit
from tenants.dns import check_error_text
from tenants.models import Domain
from tenants.services.domains import (
    dns_instructions,
    domain_add,
    domain_make_primary,
    domain_remove,
    hostname_allowed_for_tls,
)
from tenants.storage import current_media_root
from tenants.tasks import verify_domain
from themes.selectors import theme_for_request


def _plan_offer(plan) -> dict:
    """What a plan costs and contains, as the platform site shows it: the modules come from the
    catalogue in its order, so a module added there (or to a plan) shows up by itself."""
    return {
        "plan": plan,
        "modules": [feature for key, feature in built().items() if key in plan.features],
        "storage": filesizeformat(plan.storage_mb * 1024 * 1024),
    }


def platform_home(request):
    portals = [
        {"portal": p, "url": selectors.portal_base_url(p)} for p in selectors.listed_portals()
    ]
    offers = [_plan_offer(plan) for plan in all_plans()]
    return render(request, "tenants/platform_home.html", {"portals": portals, "offers": offers})


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the portal theme's icon, else
    Allmende's (on the platform site, and for portals without one) - never a 404."""
    favicons = {}
    if getattr(request, "portal", None) is not None:
        favicons = theme_for_request(request).get("favicons") or {}
    name = favicons.get("32") or next(iter(favicons.values()), None)
    target = f"{settings.MEDIA_URL}{name}" if name else static("img/favicon.png")
    response = redirect(target)
    # Browsers ask for it on every page; a theme's new icon shows within the hour.
    patch_cache_control(response, public=True, max_age=60 * 60)
    return response


def platform_legal_page(request, kind: str):
    """The platform's Impressum or privacy statement; 404 until the operators wrote it."""
    page = selectors.platform_page(kind)
    if page is None:
        raise Http404("This page has not been written yet.")
    return render(request, "tenants/platform_page.html", {"page": page})


# Top-level folders of a portal's media that /media/ never serves.
PRIVATE_MEDIA_FOLDERS = frozenset({"documents", "proposals"})


def serve_media(request, path: str):
    """A file of the current portal. Other portals' files are not reachable: 404. Nor are the
    documents of spaces: they are internal and served only through the documents module's
    download view, which asks the visibility selector first."""
    root = str(current_media_root())
    try:
        full_path = safe_join(root, path)
    except SuspiciousFileOperation as exc:  # ../ tricks
        raise Http404("No such file.") from exc
    # On the normalised path, so that "x/../documents/…" is refused as well.
    if os.path.relpath(full_path, root).split(os.sep, 1)[0] in PRIVATE_MEDIA_FOLDERS:
        raise Http404("No such file.")
    content_type, _ = mimetypes.guess_type(full_path)
    try:
        handle = open(full_path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except (OSError, ValueError) as exc:
        # Missing files and folders, but also names no file can have (a NUL byte, too long):
        # all of them are "not here", never a server error.
        raise Http404("No such file.") from exc
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


class DomainForm(forms.Form):
    hostname = forms.CharField(label=_("Domain"), max_length=253)


def _portal_domain(request, pk: int) -> Domain:
    # Another portal's domain id is "not found", never "forbidden".
    domain = selectors.portal_domain(request.portal, pk)
    if domain is None:
        raise Http404("No such domain.")
    return domain


def domain_settings(request):
    portal = request.portal
    form = DomainForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                domain = domain_add(
                    portal=portal, hostname=form.cleaned_data["hostname"], actor=request.user
                )
            except ValidationError as exc:
                form.add_error("hostname", exc.messages)
                status = 400
            else:
                messages.success(
                    request,
                    _("Added %(name)s. Create the DNS records below, then check.")
                    % {"name": domain.domain},
                )
                return redirect("domains:settings")
        else:
            status = 400
    domains = [_domain_entry(d) for d in selectors.portal_domains(portal)]
    return render(
        request, "tenants/domains.html", {"form": form, "domains": domains}, status=status
    )


def _dead_claim_message(domain: Domain) -> str:
    if domain.lost_at is not None:
        return _(
            "Another portal proved control of %(name)s first, so this claim no longer counts."
        ) % {"name": domain.domain}
    return _(
        "This claim on %(name)s expired without being verified. Add the domain again to get "
        "a new token."
    ) % {"name": domain.domain}


def _domain_entry(domain: Domain) -> dict:
    """What the domains page shows of one row: its state, and DNS records while they matter."""
    if domain.is_verified:
        return {"domain": domain, "state": "verified", "records": [], "message": ""}
    if domain.claim_is_dead:
        return {
            "domain": domain,
            "state": "dead",
            "records": [],
            "message": _dead_claim_message(domain),
        }
    return {
        "domain": domain,
        "state": "pending",
        "records": dns_instructions(domain),
        "message": "",
        "check_error": check_error_text(domain.last_check_error),
    }


@require_POST
def domain_action(request, pk: int, action: str):
    domain = _portal_domain(request, pk)
    try:
        if action == "verify" and domain.claim_is_dead:
            messages.error(request, _dead_claim_message(domain))
        elif action == "verify":
            # A platform check, recorded in the public log, whichever portal asked for it.
            enqueue_on_commit(verify_domain, in_public=True, domain_id=domain.pk)
            messages.info(request, _("The DNS check is running; reload this page in a moment."))
        elif action == "primary":
            domain_make_primary(domain=domain, actor=request.user)
            messages.success(
                request, _("%(name)s is now the main address.") % {"name": domain.domain}
            )
        elif action == "remove":
            domain_remove(domain=domain, actor=request.user)
            messages.success(request, _("Removed %(name)s.") % {"name": domain.domain})
        else:
            raise Http404("Unknown action.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("domains:settings")


def tls_allowed(request):
    """Asked by the TLS terminator before it obtains a certificate (on-demand TLS)."""
    if hostname_allowed_for_tls(request.GET.get("domain", "")):
        return HttpResponse("ok", content_type="text/plain")
    return HttpResponse("unknown", status=404, content_type="text/plain")
