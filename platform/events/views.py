"""Pages of the events calendar: month, week, agenda and list views with the same filters, an
event with its answers and comments, creating and editing with collision hints before saving,
cancelling, answering, a member's own calendar with its secret feed address, and a space's
events with the outside calendars it subscribes to.

Each view finds the event through events.selectors.event_for (invisible is the same 404 as
missing) and calls one service; bad input re-shows the form with what was typed and status
400. Actions are POST only. Calendar views read one query of events, however many there are,
and expand series lazily up to recurrence.DEFAULT_CAP (a note says when the cap cut a view).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors, flash_service_errors, int_or_none
from core.richtext import render as render_richtext
from events import recurrence, selectors, services
from events.forms import CancelForm, EventForm, SubscriptionForm, initial_for
from events.models import RsvpStatus, TargetGroup

LIST_PAGE_SIZE = 25
AGENDA_DAYS = 30
NEXT_DATES = 5


# Filters and periods -------------------------------------------------------------------------


def filters_from(params) -> selectors.Filters:
    """The calendar's filters from query parameters; unknown values are ignored rather than
    refused, so a shared link with a stale filter still opens."""
    group = params.get("group", "")
    return selectors.Filters(
        category_id=int_or_none(params.get("category")),
        target_group=group if group in TargetGroup.values else "",
        space_slug=(params.get("space") or "").strip()[:80],
        district=(params.get("district") or "").strip()[:120],
        topic_id=int_or_none(params.get("topic")),
    )


def _query(filters: selectors.Filters) -> str:
    """The filters as a query string to carry into the other views and the period links."""
    from urllib.parse import urlencode

    pairs = {
        "category": filters.category_id or "",
        "group": filters.target_group,
        "space": filters.space_slug,
        "district": filters.district,
        "topic": filters.topic_id or "",
    }
    return urlencode({k: v for k, v in pairs.items() if v})


# Periods a calendar view may show: far enough for any plan, and never so far that moving on
# by a month or 30 days leaves the range dates can hold.
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


def _day(value: str | None, default: datetime.date) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value or "")
    except ValueError:
        return default
    return day if EARLIEST <= day <= LATEST else default


def _month(value: str | None, default: datetime.date) -> datetime.date:
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        first = datetime.date(year, month, 1)
    except ValueError:
        return default.replace(day=1)
    return first if EARLIEST <= first <= LATEST else default.replace(day=1)


def _midnight(day: datetime.date, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tz)


def _shift_month(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _common(request, filters: selectors.Filters, view: str) -> dict:
    user = request.user
    return {
        "filters": filters,
        "query": _query(filters),
        "view": view,
        "categories": selectors.categories(),
        "topics": selectors.topics(),
        "districts": selectors.districts(user=user),
        "target_groups": TargetGroup.choices,
        "can_create": selectors.can_create(user=user),
    }


# Calendar views -------------------------------------------------------------------------------


@require_GET
def calendar(request):
    """The month view: weeks from Monday, each day with its events."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    first = _month(request.GET.get("month"), today)
    filters = filters_from(request.GET)
    after = _shift_month(first, 1)
    month = selectors.month_of(user=request.user, first=first, tz=tz, today=today, filters=filters)
    return render(
        request,
        "events/month.html",
        {
            **_common(request, filters, "month"),
            "keep": [("month", first.strftime("%Y-%m"))],
            "first": first,
            "weeks": month.weeks,
            "weekdays": [day.date for day in month.weeks[0]],
            "previous": _shift_month(first, -1),
            "next": after,
            "this_month": today.replace(day=1),
            "cut": month.cut,
            "count": month.count,
        },
    )


@require_GET
def week(request):
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    day = _day(request.GET.get("week"), today)
    monday = day - datetime.timedelta(days=day.weekday())
    filters = filters_from(request.GET)
    occurrences, cut = selectors.occurrences_for(
        user=request.user,
        start=_midnight(monday, tz),
        end=_midnight(monday + datetime.timedelta(days=7), tz),
        filters=filters,
        with_text=False,
    )
    days = selectors.days_of(occurrences, first=monday, count=7, tz=tz, today=today)
    return render(
        request,
        "events/week.html",
        {
            **_common(request, filters, "week"),
            "keep": [("week", monday.isoformat())],
            "monday": monday,
            "sunday": monday + datetime.timedelta(days=6),
            "days": days,
            "previous": monday - datetime.timedelta(days=7),
            "next": monday + datetime.timedelta(days=7),
            "this_week": today - datetime.timedelta(days=today.weekday()),
            "cut": cut,
        },
    )


@require_GET
def agenda(request):
    """The next AGENDA_DAYS days that have events, day by day."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    first = _day(request.GET.get("from"), today)
    filters = filters_from(request.GET)
    occurrences, cut = selectors.occurrences_for(
        user=request.user,
        start=_midnight(first, tz),
        end=_midnight(first + datetime.timedelta(days=AGENDA_DAYS), tz),
        filters=filters,
        with_text=False,
    )
    days = [
        day
        for day in selectors.days_of(
            occurrences, first=first, count=AGENDA_DAYS, tz=tz, today=today
        )
        if day.occurrences
    ]
    return render(
        request,
        "events/agenda.html",
        {
            **_common(request, filters, "agenda"),
            "keep": [("from", first.isoformat())],
            "first": first,
            "last": first + datetime.timedelta(days=AGENDA_DAYS - 1),
            "days": days,
            "previous": first - datetime.timedelta(days=AGENDA_DAYS),
            "next": first + datetime.timedelta(days=AGENDA_DAYS),
            "cut": cut,
        },
    )


@require_GET
def event_list(request):
    """Every event and series that is not over, soonest first, a page at a time."""
    from core.pagination import keyset_page

    filters = filters_from(request.GET)
    page = keyset_page(
        selectors.upcoming(user=request.user, filters=filters),
        order=("starts_at", "pk"),
        after=request.GET.get("after"),
        size=LIST_PAGE_SIZE,
    )
    now = timezone.now()
    rows = [(event, recurrence.next_occurrence(event, after=now)) for event in page.items]
    return render(
        request,
        "events/list.html",
        {**_common(request, filters, "list"), "page": page, "rows": rows},
    )


# One event ------------------------------------------------------------------------------------


def _detail_context(request, event, **extra) -> dict:
    user = request.user
    now = timezone.now()
    upcoming_dates = (
        list(
            recurrence.occurrences_of(
                event, start=now, end=now + recurrence.FEED_FUTURE, cap=NEXT_DATES
            )
        )
        if event.is_recurring
        else []
    )
    answers = selectors.answers(user=user, event=event)
    can_manage = selectors.can_manage(user=user, event=event)
    zone = recurrence.zone(event.timezone)
    context = {
        "event": event,
        "first_day": event.starts_at.astimezone(zone).date(),
        "last_day": (event.ends_at - datetime.timedelta(microseconds=1)).astimezone(zone).date(),
        "description_html": render_richtext(event.description),
        "next_dates": upcoming_dates,
        "answers": answers,
        "places_left": answers.places_left(event.capacity),
        "can_manage": can_manage,
        "can_answer": selectors.can_answer(user=user, event=event),
        "attendees": list(selectors.attendees(user=user, event=event)) if can_manage else [],
        "cancel_form": CancelForm() if can_manage and not event.is_cancelled else None,
        "rule_text": selectors.describe_rule(event),
        "other_zone": event.timezone != str(timezone.get_current_timezone()),
    }
    context.update(extra)
    return context


@require_GET
def event_detail(request, pk: int):
    event = selectors.event_for(user=request.user, pk=pk)
    return render(request, "events/detail.html", _detail_context(request, event))


def _form(request, *, data=None, event=None, initial=None) -> EventForm:
    return EventForm(
        data,
        initial=initial,
        event=event,
        spaces=[] if event else list(selectors.organising_spaces(user=request.user)),
        categories=list(selectors.categories()),
        topics=list(selectors.topics()),
    )


def _checked(request, form: EventForm, *, exclude_pk=None):
    """The service's values for a valid form, and the clashes to show before saving (none
    once the organiser chose to save anyway); (None, []) with the errors on the form."""
    fields = form.fields_for_service()
    try:
        values = services.validated(fields)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, []
    if request.POST.get("proceed"):
        return fields, []
    return fields, selectors.collisions_for(user=request.user, values=values, exclude_pk=exclude_pk)


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    space = None
    slug = request.GET.get("space") or ""
    if slug:
        space = get_object_or_404(selectors.organising_spaces(user=request.user), slug=slug)
    if not selectors.can_create(user=request.user, space=space):
        raise PermissionDenied(_("Only active members can create events here."))
    if request.method != "POST":
        initial = {"space": space.pk} if space else {}
        return render(request, "events/form.html", {"form": _form(request, initial=initial)})
    form = _form(request, data=request.POST)
    clashes = []
    if form.is_valid():
        fields, clashes = _checked(request, form)
        if fields is not None and not clashes:
            chosen = None
            if form.cleaned_data.get("space"):
                chosen = get_object_or_404(
                    selectors.organising_spaces(user=request.user), pk=form.cleaned_data["space"]
                )
            try:
                event = services.event_create(actor=request.user, fields=fields, space=chosen)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The event is in the calendar."))
                return redirect(event)
    status = 200 if clashes and not form.errors else 400
    return render(request, "events/form.html", {"form": form, "clashes": clashes}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    event = selectors.event_for(user=request.user, pk=pk)
    if not selectors.can_manage(user=request.user, event=event):
        raise PermissionDenied(
            _("Only the organiser and the space's admins can change this event.")
        )
    if request.method != "POST":
        form = _form(request, event=event, initial=initial_for(event))
        return render(request, "events/form.html", {"form": form, "event": event})
    form = _form(request, data=request.POST, event=event)
    clashes = []
    if form.is_valid():
        fields, clashes = _checked(request, form, exclude_pk=event.pk)
        if fields is not None and not clashes:
            try:
                services.event_update(actor=request.user, event=event, fields=fields)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect(event)
    status = 200 if clashes and not form.errors else 400
    return render(
        request,
        "events/form.html",
        {"form": form, "event": event, "clashes": clashes},
        status=status,
    )


@login_required
@require_GET
def clash_hints(request):
    """The collision hints for the form as typed so far, as a fragment the form's script puts
    next to the fields (the form shows the same hints without script when it is sent)."""
    form = _form(request, data=request.GET)
    clashes = []
    if form.is_valid():
        try:
            values = services.validated(form.fields_for_service())
        except ValidationError:
            values = None
        if values is not None:
            clashes = selectors.collisions_for(
                user=request.user, values=values, exclude_pk=int_or_none(request.GET.get("event"))
            )
    return render(request, "events/_clashes.html", {"clashes": clashes, "live": True})


@login_required
@require_POST
def event_cancel(request, pk: int):
    event = selectors.event_for(user=request.user, pk=pk)
    if not selectors.can_manage(user=request.user, event=event):
        raise PermissionDenied(
            _("Only the organiser and the space's admins can cancel this event.")
        )
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.event_cancel(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("The event is cancelled; everyone who answered is told."))
        return redirect(event)
    return render(
        request, "events/detail.html", _detail_context(request, event, cancel_form=form), status=400
    )


@login_required
@require_POST
def event_rsvp(request, pk: int):
    event = selectors.event_for(user=request.user, pk=pk)
    try:
        rsvp = services.rsvp_set(
            user=request.user, event=event, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        # The page says the answer next to the buttons; only a full event needs a word more.
        if rsvp.status == RsvpStatus.WAITING:
            messages.info(request, _("The event is full: you are on the waiting list."))
    return redirect(event)


@login_required
@require_POST
def event_rsvp_withdraw(request, pk: int):
    event = selectors.event_for(user=request.user, pk=pk)
    services.rsvp_withdraw(user=request.user, event=event)
    messages.success(request, _("Your answer is withdrawn."))
    return redirect(event)


# A member's own calendar ----------------------------------------------------------------------


@login_required
@require_GET
def my_calendar(request):
    token = services.feed_token_get_or_create(user=request.user)
    feed_url = request.build_absolute_uri(
        reverse("events:ical_member", kwargs={"token": token.token})
    )
    events = selectors.upcoming_of(selectors.own_events(user=request.user))
    now = timezone.now()
    rows = [(event, recurrence.next_occurrence(event, after=now)) for event in events[:50]]
    return render(
        request,
        "events/mine.html",
        {
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "rows": rows,
            "portal_feed_url": request.build_absolute_uri(reverse("events:ical")),
        },
    )


@login_required
@require_POST
def my_calendar_rotate(request):
    services.feed_token_rotate(user=request.user)
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect("events:mine")


# A space's events -----------------------------------------------------------------------------


def _space(request, slug: str):
    from spaces.selectors import space_for

    return space_for(user=request.user, slug=slug)


def _space_context(request, space, **extra) -> dict:
    user = request.user
    can_subscribe = selectors.can_subscribe(user=user, space=space)
    now = timezone.now()
    events = selectors.upcoming(user=user, filters=selectors.Filters(space_slug=space.slug))
    context = {
        "space": space,
        "rows": [(event, recurrence.next_occurrence(event, after=now)) for event in events[:100]],
        "can_create": selectors.can_create(user=user, space=space),
        "feed_url": request.build_absolute_uri(
            reverse("space_events:ical", kwargs={"slug": space.slug})
        )
        if selectors.has_public_feed(space=space)
        else "",
        "can_subscribe": can_subscribe,
        "subscriptions": list(selectors.subscriptions_of(space=space)) if can_subscribe else [],
        "subscription_form": SubscriptionForm() if can_subscribe else None,
    }
    context.update(extra)
    return context


@require_GET
def space_events(request, slug: str):
    space = _space(request, slug)
    return render(request, "events/space.html", _space_context(request, space))


@login_required
@require_POST
def subscription_add(request, slug: str):
    from events import imports

    space = _space(request, slug)
    if not selectors.can_subscribe(user=request.user, space=space):
        raise PermissionDenied(_("Only the space's admins can subscribe it to a calendar."))
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        try:
            subscription = imports.subscription_create(
                actor=request.user, space=space, url=form.cleaned_data["url"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            imports.import_soon(subscription=subscription)
            messages.success(
                request, _("The calendar is subscribed; its events are being imported.")
            )
            return redirect("space_events:list", slug=space.slug)
    return render(
        request,
        "events/space.html",
        _space_context(request, space, subscription_form=form),
        status=400,
    )


def _subscription(request, slug: str, pk: int):
    space = _space(request, slug)
    if not selectors.can_subscribe(user=request.user, space=space):
        raise PermissionDenied(_("Only the space's admins can manage its calendars."))
    return space, get_object_or_404(selectors.subscriptions_of(space=space), pk=pk)


@login_required
@require_POST
def subscription_import(request, slug: str, pk: int):
    from events import imports

    space, subscription = _subscription(request, slug, pk)
    result = imports.import_subscription(subscription=subscription)
    if result.error:
        messages.error(request, result.error)
    else:
        messages.success(
            request,
            _("Imported: %(created)d new, %(updated)d changed, %(removed)d removed.")
            % {"created": result.created, "updated": result.updated, "removed": result.removed},
        )
    return redirect("space_events:list", slug=space.slug)


@login_required
@require_POST
def subscription_delete(request, slug: str, pk: int):
    from events import imports

    space, subscription = _subscription(request, slug, pk)
    imports.subscription_delete(actor=request.user, subscription=subscription)
    messages.success(request, _("The subscription and its imported events are removed."))
    return redirect("space_events:list", slug=space.slug)


# The administrators' page (manage/events/, behind the admin gate) -----------------------------


def _manage_context(**extra) -> dict:
    from events.forms import CategoryForm

    context = {"categories": list(selectors.categories()), "category_form": CategoryForm()}
    context.update(extra)
    return context


@require_GET
def manage(request):
    return render(request, "events/manage.html", _manage_context())


@require_POST
def manage_category(request, pk: int | None = None):
    """Add a category (no pk) or rename one."""
    from events.forms import CategoryForm

    category = get_object_or_404(selectors.categories(), pk=pk) if pk else None
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.category_save(
                actor=request.user, name=form.cleaned_data["name"], category=category
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The category is saved."))
            return redirect("events_manage:index")
    return render(
        request,
        "events/manage.html",
        _manage_context(category_form=form, failed=category),
        status=400,
    )
