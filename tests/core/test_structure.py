"""Checks that keep the structure sound as modules are added: views do not query the ORM,
everything under /manage/ is behind the admin gate, every module marker names a module, and
every API endpoint is scoped. Each check is also run against a planted violation, so that a
check which could never fail would show up here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import include, path

from core.api import PortalViewSet, ScopedModelViewSet
from core.gates import manage_path
from core.routing import walk
from features.catalogue import FEATURES

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOTS = [ROOT / "platform", ROOT / "themes", ROOT / "billing", ROOT / "tenants"]
VIEW_MODULES = {"views.py", "api.py", "webhooks.py", "context_processors.py"}


def orm_queries(source: str) -> list[int]:
    """Line numbers of `<Model>.objects` in a module's source."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    ]


def view_modules() -> list[Path]:
    return sorted(
        p
        for root in SOURCE_ROOTS
        for p in root.rglob("*.py")
        if p.name in VIEW_MODULES or "views" in p.parent.name
    )


def test_no_view_module_queries_the_orm_directly():
    offenders = {
        str(p.relative_to(ROOT)): lines
        for p in view_modules()
        if (lines := orm_queries(p.read_text()))
    }
    assert offenders == {}, "views read through selectors and write through services"
    assert len(view_modules()) >= 8  # the scan really finds the view modules


def test_the_orm_check_finds_a_query():
    assert orm_queries("def view(request):\n    return Post.objects.all()\n") == [2]


def ungated_manage_routes(urlconf: str) -> list[str]:
    return [r.route for r in walk(urlconf) if r.route.startswith("manage/") and not r.is_manage]


def test_every_route_under_manage_is_behind_the_admin_gate():
    routes = [r for r in walk(settings.ROOT_URLCONF) if r.route.startswith("manage/")]
    assert len(routes) >= 10
    assert ungated_manage_routes(settings.ROOT_URLCONF) == []


def _view(request):
    return None


urlpatterns = [
    manage_path("manage/ok/", include([path("", _view, name="ok")])),
    path("manage/forgotten/", _view, name="forgotten"),
]


def test_the_gate_check_finds_a_route_that_forgot_the_gate():
    assert ungated_manage_routes(__name__) == ["manage/forgotten/"]


@pytest.mark.parametrize("urlconf", [settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF])
def test_every_module_marker_names_a_module_of_the_catalogue(urlconf):
    unknown = {f for r in walk(urlconf) for f in r.features if f not in FEATURES}
    assert unknown == set()


def test_the_api_only_has_scoped_endpoints():
    from allmende.urls_api import router

    assert router.registry
    for _prefix, viewset, _basename in router.registry:
        assert issubclass(viewset, PortalViewSet)
        if hasattr(viewset, "get_serializer_class"):
            assert issubclass(viewset, ScopedModelViewSet)
            assert viewset.selector is not None
