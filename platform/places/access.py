"""Access classes of this module's routes (merged into core.access.ROUTES).

The map, its directory and its GeoJSON are PUBLIC as a class: every layer comes from its
module's listed selector, which decides per viewer (a private space's things only for its
members, a members-only portal shows visitors nothing). The settings page is for the portal's
administrators (the manage marker makes it ADMIN whatever is written here). The API needs a
login like every endpoint of core.api.PortalViewSet."""

from core.access import Access

ROUTES: dict[str, Access] = {
    "places:map": Access.PUBLIC,
    "places:directory": Access.PUBLIC,
    "places:geojson": Access.PUBLIC,
    "places_manage:settings": Access.ADMIN,
    "places-list": Access.MEMBER,
}
