"""The members admin (mounted with manage_path: portal administrators only)."""

from django.shortcuts import render


def member_list(request):
    return render(request, "members/list.html", {})
