"""Pages of spaces (being built: see spaces/__init__.py)."""

from __future__ import annotations

from django.shortcuts import render

from spaces import selectors


def space_list(request):
    return render(
        request, "spaces/list.html", {"spaces": selectors.spaces_listed_for(user=request.user)}
    )


def space_detail(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    return render(request, "spaces/detail.html", {"space": space})
