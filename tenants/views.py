"""Platform-site pages and the per-portal media endpoint."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils._os import safe_join

from tenants import selectors
from tenants.storage import current_media_root


def platform_home(request):
    portals = [
        {"portal": p, "url": selectors.portal_base_url(p)} for p in selectors.listed_portals()
    ]
    return render(request, "tenants/platform_home.html", {"portals": portals})


def serve_media(request, path: str):
    """A file of the current portal. Other portals' files are not reachable: 404."""
    try:
        full_path = safe_join(str(current_media_root()), path)
    except Exception as exc:  # SuspiciousFileOperation for ../ tricks
        raise Http404("No such file.") from exc
    content_type, _ = mimetypes.guess_type(full_path)
    try:
        handle = open(full_path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except (OSError, ValueError) as exc:
        # Missing files and folders, but also names no file can have (a NUL byte, too long):
        # all of them are "not here", never a server error.
        raise Http404("No such file.") from exc
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
