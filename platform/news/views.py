"""Start page of a portal (the latest news, each with its newest comments), one post with all
its comments, and posting to the news board."""

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
        "posts": selectors.start_page_posts(user=request.user, after=request.GET.get("after")),
        "member_count": selectors.member_count(),
        "form": form,
        "onboarding": onboarding_steps() if is_portal_admin(request.user) else [],
        "can_comment": selectors.can_comment(user=request.user),
        "moderator": is_portal_staff(request.user),
    }


def home(request):
    return render(request, "news/home.html", _home_context(request, PostForm()))


def post_detail(request, pk: int):
    from spaces.selectors import is_portal_staff

    post = selectors.post_for(user=request.user, pk=pk)
    return render(
        request,
        "news/post.html",
        {
            "post": post,
            "can_comment": selectors.can_comment(user=request.user, post=post),
            "moderator": is_portal_staff(request.user),
        },
    )


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
