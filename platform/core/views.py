"""Pages every host has."""

from django.http import HttpResponse


def healthz(request):
    """For load balancers: the process serves requests (no database query)."""
    return HttpResponse("ok", content_type="text/plain")
