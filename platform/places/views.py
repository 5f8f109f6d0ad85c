"""Pages of the map module: the map with its filters, the directory (the same items as an
accessible list), the GeoJSON the map draws, and the administrators' map settings.

Everything shown comes from places.selectors.map_items, which starts from each module's
listed selector, so the three views cannot disagree about who sees what. Filters come from the
query string and are read leniently (a stale shared link still opens). The settings form
re-shows what was typed with status 400 when the service refuses it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors
from places import selectors, services
from places.config import map_config
from places.forms import MapSettingsForm


def _filter_context(request, filters: selectors.Filters) -> dict:
    query = urlencode(filters.as_params())
    return {
        "filters": filters,
        "query": f"?{query}" if query else "",
        "kinds": selectors.offered_kinds(),
        "topics": selectors.topics(),
        "districts": selectors.districts(user=request.user),
    }


@require_GET
def map_page(request):
    filters = selectors.Filters.from_params(request.GET)
    context = _filter_context(request, filters)
    context["cfg"] = map_config()
    context["geojson_url"] = reverse("places:geojson") + context["query"]
    return render(request, "places/map.html", context)


@require_GET
def directory(request):
    filters = selectors.Filters.from_params(request.GET)
    items = selectors.map_items(user=request.user, filters=filters)
    context = _filter_context(request, filters)
    context.update({"groups": selectors.grouped(items), "item_count": len(items)})
    return render(request, "places/directory.html", context)


@require_GET
def geojson(request):
    filters = selectors.Filters.from_params(request.GET)
    items = selectors.map_items(user=request.user, filters=filters)
    response = JsonResponse(
        selectors.as_geojson(items),
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
    # What a visitor may see depends on who they are: never share it between people.
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Cookie"])
    return response


@require_http_methods(["GET", "POST"])
def manage(request):
    """The portal's map settings (behind the admin gate: manage_path)."""
    current = selectors.map_settings()
    if request.method != "POST":
        form = MapSettingsForm(instance=current)
        return render(request, "places/manage.html", {"form": form, "cfg": map_config()})
    form = MapSettingsForm(request.POST, instance=current)
    if form.is_valid():
        try:
            services.map_settings_update(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The map settings are saved."))
            return redirect("places_manage:settings")
    return render(request, "places/manage.html", {"form": form, "cfg": map_config()}, status=400)
