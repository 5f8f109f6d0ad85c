"""API: the portal's modules, and switching them (admins). Refusals carry the reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.response import Response

from core.api import PortalViewSet
from core.permissions import IsPortalAdmin
from features import services
from features.catalogue import FEATURES, built
from features.selectors import load_portal_features


def _state(current, key):
    feature = FEATURES[key]
    return {
        "key": key,
        "name": str(feature.name),
        "enabled": key in current.enabled,
        "entitled": key in current.entitled,
        "requires": list(feature.requires),
    }


class SwitchSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


class FeatureViewSet(PortalViewSet):
    """GET lists the portal's modules; PATCH <key>/ switches one (admins only)."""

    lookup_field = "key"
    lookup_value_regex = "[a-z_]+"

    def get_permissions(self):
        if self.action == "partial_update":
            return [IsPortalAdmin()]
        return super().get_permissions()

    def list(self, request):
        current, _ttl = load_portal_features(request.portal)
        return Response(
            {"plan": current.plan_key, "features": [_state(current, k) for k in built()]}
        )

    def partial_update(self, request, key: str):
        if key not in built():
            return Response(
                {"detail": _("There is no module „%(key)s“.") % {"key": key}},
                status=status.HTTP_404_NOT_FOUND,
            )
        body = SwitchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.feature_switch(
                portal=request.portal,
                feature=key,
                enabled=body.validated_data["enabled"],
                actor=request.user,
            )
        except ValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        current, _ttl = load_portal_features(request.portal)
        return Response(_state(current, key))
