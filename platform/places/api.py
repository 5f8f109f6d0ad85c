"""REST API of the map: `places/`, the items of the map as one GeoJSON FeatureCollection
(read-only, not paged: a portal's places fit in one answer), with the map page's filters
(`type`, `topic`, `district`, `from`, `to`).

The items come from places.selectors.map_items, so the API shows exactly what the map shows
the caller; like every endpoint it needs a logged-in member (core.api.PortalViewSet).
"""

from __future__ import annotations

from rest_framework.response import Response

from core.api import PortalViewSet
from places import selectors


class PlaceViewSet(PortalViewSet):
    def list(self, request):
        filters = selectors.Filters.from_params(request.query_params)
        items = selectors.map_items(user=request.user, filters=filters)
        return Response(selectors.as_geojson(items))


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("places", PlaceViewSet, basename="places", feature="map")
