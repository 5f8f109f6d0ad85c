"""Fixtures for the feature tests: private caches and switching modules by hand.

The file caches of the normal settings live in one folder shared by every test run on the
machine, and feature entries are keyed by portal id; each test here gets caches of its own so a
parallel run can neither clear nor fill them mid-test.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from features.catalogue import FEATURES
from features.models import FeatureSwitch
from features.selectors import forget_portal_features


@pytest.fixture(autouse=True)
def _private_caches(settings, tmp_path):
    settings.CACHES = {
        name: {**config, "LOCATION": str(tmp_path / "cache" / name)}
        if config["BACKEND"].endswith("FileBasedCache")
        else config
        for name, config in django_settings.CACHES.items()
    }


def set_feature(portal, key: str, enabled: bool) -> None:
    """Switch `key` (and, when switching on, what it requires) by writing rows directly."""
    keys = [key]
    if enabled:
        pending = list(FEATURES[key].requires)
        while pending:
            required = pending.pop()
            keys.append(required)
            pending.extend(FEATURES[required].requires)
    for name in keys:
        FeatureSwitch.objects.update_or_create(
            portal=portal, feature=name, defaults={"enabled": enabled}
        )
    forget_portal_features([portal.pk])
