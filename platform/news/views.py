"""Start page of a portal and posting to its news board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from news import selectors, services
from news.forms import PostForm


def _home_context(request, form) -> dict:
    from core.permissions import is_portal_admin
    from news.onboarding import onboarding_steps
    from spaces.selectors import is_portal_staff

    return {
        "posts": selectors.start_page_posts(user=request.user),
        "member_count": selectors.member_count(),
        "form": form,
        "onboarding": onboarding_steps() if is_portal_admin(request.user) else [],
        "can_comment": selectors.can_comment(user=request.user),
        "moderator": is_portal_staff(request.user),
    }


def home(request):
    return render(request, "news/home.html", _home_context(request, PostForm()))


@login_required
@require_POST
def post_create(request):
    form = PostForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.post_create(
                author=request.user,
                body=form.cleaned_data["body"],
                image=form.cleaned_data.get("image"),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Your post is published."))
            return redirect("news:home")
    return render(request, "news/home.html", _home_context(request, form), status=400)
