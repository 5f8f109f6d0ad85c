"""`{% map_config as cfg %}`: the portal's map settings and the Leaflet file addresses for a
template that draws a map, such as the place picker include (places/_picker.html)."""

from __future__ import annotations

from django import template

from places.config import map_config as _map_config

register = template.Library()


@register.simple_tag
def map_config() -> dict:
    return _map_config()
