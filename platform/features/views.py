"""The modules page in a portal's admin area: see what the plan allows, switch modules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from features import services
from features.catalogue import FEATURES, built
from features.forms import SwitchForm
from features.limits import limit_warnings
from features.selectors import all_plans, load_portal_features


def _rows(current):
    plans = all_plans()
    rows = []
    for key, feature in built().items():
        rows.append(
            {
                "key": key,
                "feature": feature,
                "enabled": key in current.enabled,
                "entitled": key in current.entitled,
                "granted_until": current.granted_until.get(key),
                "requires": [FEATURES[r].name for r in feature.requires],
                "offered_in": [p.display_name for p in plans if key in p.features]
                if key not in current.entitled
                else [],
            }
        )
    return rows


def feature_settings(request):
    portal = request.portal
    status = 200
    if request.method == "POST":
        form = SwitchForm(request.POST)
        if form.is_valid():
            try:
                services.feature_switch(
                    portal=portal,
                    feature=form.cleaned_data["feature"],
                    enabled=form.cleaned_data["enabled"],
                    actor=request.user,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                status = 400
            else:
                messages.success(request, _("Saved."))
                return redirect("features:settings")
        else:
            messages.error(request, _("That request was not understood; nothing was changed."))
            status = 400
    current, _ttl = load_portal_features(portal)
    return render(
        request,
        "features/settings.html",
        {"rows": _rows(current), "current": current, "warnings": limit_warnings(portal)},
        status=status,
    )
