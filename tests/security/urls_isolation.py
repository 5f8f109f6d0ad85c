"""The portal URLconf plus probe views for tests/security/test_isolation.py: a per-view cached
page, an async view, and a view that sends a task eagerly and then keeps working. Only used under
override_settings(ROOT_URLCONF=...), so the route walk of the real URLconfs never sees them."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.db import IntegrityError, connection, transaction
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.cache import cache_page

from accounts.models import User
from tests.security.test_isolation_tasks import note_schema


def _portal_facts() -> dict:
    return {
        "schema": connection.schema_name,
        "emails": sorted(User.objects.values_list("email", flat=True)),
    }


@cache_page(60)
def cached(request):
    return JsonResponse(_portal_facts())


async def asynchronous(request):
    return JsonResponse(await sync_to_async(_portal_facts)())


def task_then_read(request):
    note_schema.delay("from a request")
    return JsonResponse(_portal_facts())


def savepoint_then_read(request):
    # The first query of this request runs inside a savepoint that is rolled back: the SET
    # search_path issued with it is rolled back too, and must be issued again.
    try:
        with transaction.atomic():
            connection.set_tenant(connection.tenant)  # forget the SET issued so far
            User.objects.create(email="dup@example.org")
            User.objects.create(email="dup@example.org")
    except IntegrityError:
        pass
    return JsonResponse(_portal_facts())


urlpatterns = [
    path("probe/cached/", cached),
    path("probe/async/", asynchronous),
    path("probe/task/", task_then_read),
    path("probe/savepoint/", savepoint_then_read),
    path("", include("allmende.urls_portal")),
]
