"""The API base: a queryset comes from the app's selector, or the endpoint does not import."""

from __future__ import annotations

import pytest
from rest_framework import mixins

from core.api import ApiRouter, PortalViewSet, ScopedModelViewSet
from news.models import Post


def test_an_endpoint_that_sets_its_own_queryset_is_refused_at_import():
    with pytest.raises(TypeError, match="get_queryset"):

        class Leaky(mixins.ListModelMixin, ScopedModelViewSet):
            def get_queryset(self):
                return Post.objects.all()

    with pytest.raises(TypeError, match="queryset"):

        class AlsoLeaky(mixins.ListModelMixin, ScopedModelViewSet):
            queryset = Post.objects.all()


def test_the_named_escape_hatch_is_used_when_an_endpoint_declares_it():
    class Declared(mixins.ListModelMixin, ScopedModelViewSet):
        def dangerously_get_queryset(self):
            return Post.objects.none()

    assert Declared().get_queryset().model is Post


def test_the_router_takes_only_portal_endpoints():
    from rest_framework import viewsets

    router = ApiRouter()
    with pytest.raises(TypeError, match="PortalViewSet"):
        router.register("bare", viewsets.ViewSet, basename="bare")
    router.register("fine", PortalViewSet, basename="fine")
    assert [prefix for prefix, *_ in router.registry] == ["fine"]
