"""The search page: parse the query string, ask the selector, show what it found."""

from __future__ import annotations

from django.shortcuts import render

from search import selectors


def results(request):
    """GET q= (the query), type= (repeatable filter), cursor= (the "more" link). A query that
    is too short or too long is shown again with the reason, status 400."""
    found = selectors.search(
        user=request.user,
        query=request.GET.get("q", ""),
        types=request.GET.getlist("type"),
        cursor=request.GET.get("cursor"),
    )
    return render(
        request,
        "search/results.html",
        {"results": found},
        status=400 if found.problem else 200,
    )
