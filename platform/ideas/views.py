"""Pages of the ideas marketplace: the list with filters and sorting, an idea with its
timeline, supports and comments, posting and editing, the moderators' status form, starting a
project, and the moderators' CSV export.

Each view finds the idea through ideas.selectors.idea_for (invisible is the same 404 as
missing) and calls one service; bad input re-shows the form with what was typed and status
400. Actions are POST only.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors, flash_service_errors, int_or_none
from core.richtext import render as render_richtext
from ideas import export, selectors, services
from ideas.forms import IdeaEditForm, IdeaForm, StatusForm
from ideas.models import IdeaStatus


def list_filters(params) -> dict:
    """The filters of the list, feeds and API from query parameters; unknown values are
    ignored rather than refused (a shared link stays usable)."""
    status = params.get("status", "")
    author_type = params.get("author", "")
    sort = params.get("sort", "trending")
    return {
        "topic_id": int_or_none(params.get("topic")),
        "district": (params.get("district") or "").strip()[:120],
        "status": status if status in IdeaStatus.values else "",
        "author_type": author_type if author_type in selectors.AUTHOR_TYPES else "",
        "sort": sort if sort in selectors.SORTS else "trending",
    }


LIST_PAGE_SIZE = 24
# How old the clock of a "next page" link may be: the trending order of its pages is computed
# for that moment, so that an idea does not move from one page to the next between two clicks.
LIST_CLOCK_HOURS = 24


def _listing_clock(value: str | None) -> datetime.datetime:
    now = timezone.now()
    try:
        at = datetime.datetime.fromtimestamp(int(value or ""), tz=datetime.UTC)
    except (ValueError, OverflowError, OSError):
        return now
    return at if now - datetime.timedelta(hours=LIST_CLOCK_HOURS) <= at <= now else now


def idea_list(request):
    """The marketplace, a page at a time (by key: page 400 costs what page 1 costs)."""
    from core.pagination import keyset_page, order_of

    filters = list_filters(request.GET)
    now = _listing_clock(request.GET.get("at"))
    after = request.GET.get("after")
    ideas = selectors.ideas_for_listing(
        user=request.user, now=now, first_page=None if after else LIST_PAGE_SIZE, **filters
    )
    page = keyset_page(ideas, order=order_of(ideas), after=after, size=LIST_PAGE_SIZE)
    kept = {
        "topic": filters["topic_id"] or "",
        "district": filters["district"],
        "status": filters["status"],
        "author": filters["author_type"],
        "sort": filters["sort"] if filters["sort"] != "trending" else "",
    }
    query = urlencode({key: value for key, value in kept.items() if value})
    return render(
        request,
        "ideas/list.html",
        {
            "ideas": page.items,
            "page": page,
            "query": query,
            "clock": int(now.timestamp()),
            "filters": filters,
            "topics": selectors.topics(),
            "districts": selectors.districts(user=request.user),
            "statuses": IdeaStatus.choices,
            "sorts": [
                ("trending", _("trending")),
                ("newest", _("newest")),
                ("supported", _("most supported")),
            ],
            "author_types": [("person", _("people")), ("space", _("spaces"))],
            "can_export": selectors.can_change_status(user=request.user),
        },
    )


def _proposal_context(user, idea) -> dict:
    """Proposals that grew out of the idea, and whether the user may draft one in its project
    (the proposals module may be off, or not part of the plan)."""
    from features.selectors import enabled_here

    if not enabled_here("proposals"):
        return {"proposals": [], "can_propose": False}
    from proposals.selectors import proposals_of_idea
    from spaces.selectors import can_contribute

    can_propose = idea.project is not None and can_contribute(user=user, space=idea.project)
    return {
        "proposals": list(proposals_of_idea(user=user, idea=idea)),
        "can_propose": can_propose,
    }


def _detail_context(request, idea, **extra) -> dict:
    user = request.user
    moderator = selectors.can_change_status(user=user)
    statuses = selectors.allowed_statuses(idea=idea) if moderator else []
    context = {
        "idea": idea,
        "description_html": render_richtext(idea.description),
        "timeline": list(selectors.timeline_of(idea=idea)),
        "support_count": selectors.support_count(idea=idea),
        "supporting": selectors.is_supporting(user=user, idea=idea),
        "can_support": selectors.can_support(user=user, idea=idea),
        "can_edit": selectors.can_edit(user=user, idea=idea),
        "can_start_project": selectors.can_start_project(user=user, idea=idea),
        "status_form": StatusForm(statuses=statuses) if statuses else None,
        **_proposal_context(user, idea),
    }
    context.update(extra)
    return context


def idea_detail(request, pk: int):
    idea = selectors.idea_for(user=request.user, pk=pk)
    return render(request, "ideas/detail.html", _detail_context(request, idea))


def _form(form_class, request, *, data=None, files=None, initial=None):
    return form_class(
        data,
        files,
        initial=initial,
        topics=list(selectors.topics()),
        spaces=list(selectors.spaces_to_speak_for(user=request.user)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request):
    if request.method != "POST":
        return render(request, "ideas/form.html", {"form": _form(IdeaForm, request)})
    form = _form(IdeaForm, request, data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            idea = services.idea_post(author=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your idea is posted."))
            return redirect(idea)
    return render(request, "ideas/form.html", {"form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def idea_edit(request, pk: int):
    idea = selectors.idea_for(user=request.user, pk=pk)
    if not selectors.can_edit(user=request.user, idea=idea):
        raise PermissionDenied(_("Only the author can change this idea, until it is realised."))
    context = {"idea": idea}
    if request.method != "POST":
        initial = {
            "title": idea.title,
            "description": idea.description,
            "topic": idea.topic_id,
            "place": idea.place,
            "latitude": idea.latitude if idea.latitude is not None else "",
            "longitude": idea.longitude if idea.longitude is not None else "",
            "on_behalf_of": idea.on_behalf_of_id,
        }
        form = _form(IdeaEditForm, request, initial=initial)
        return render(request, "ideas/form.html", {**context, "form": form})
    form = _form(IdeaEditForm, request, data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            services.idea_edit(
                user=request.user,
                idea=idea,
                remove_image=form.cleaned_data["remove_image"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect(idea)
    return render(request, "ideas/form.html", {**context, "form": form}, status=400)


@login_required
@require_POST
def idea_support(request, pk: int):
    idea = selectors.idea_for(user=request.user, pk=pk)
    try:
        services.idea_support(user=request.user, idea=idea)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("You support this idea."))
    return redirect(idea)


@login_required
@require_POST
def idea_withdraw(request, pk: int):
    idea = selectors.idea_for(user=request.user, pk=pk)
    if services.idea_support_withdraw(user=request.user, idea=idea):
        messages.success(request, _("Your support is withdrawn."))
    return redirect(idea)


@login_required
@require_POST
def idea_status(request, pk: int):
    idea = selectors.idea_for(user=request.user, pk=pk)
    if not selectors.can_change_status(user=request.user):
        raise PermissionDenied(_("Only the portal's moderators can change an idea's status."))
    form = StatusForm(request.POST, statuses=selectors.allowed_statuses(idea=idea))
    if form.is_valid():
        try:
            services.idea_status_change(
                moderator=request.user,
                idea=idea,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The status is changed."))
            return redirect(idea)
    return render(
        request, "ideas/detail.html", _detail_context(request, idea, status_form=form), status=400
    )


@login_required
@require_POST
def idea_start_project(request, pk: int):
    idea = selectors.idea_for(user=request.user, pk=pk)
    try:
        space = services.idea_start_project(user=request.user, idea=idea)
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return redirect(idea)
    messages.success(request, _("The project is started; the supporters are invited."))
    return redirect(space)


def idea_export(request):
    """All visible ideas as CSV, for the portal's moderators and administrators."""
    from spaces.selectors import is_portal_staff

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_portal_staff(request.user):
        raise PermissionDenied
    body = export.ideas_csv(selectors.ideas_for_export(user=request.user))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ideas-{stamp}.csv"'
    return response
