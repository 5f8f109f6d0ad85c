"""The members admin (mounted with manage_path: portal administrators only). Views parse the
request, call one selector or service and answer; a refused change comes back as a message on
the page it was asked from, never as an error page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import membership_policy as current_membership_policy
from members import selectors, services
from members.charts import Chart, bar_chart, line_chart
from members.export import members_csv
from members.forms import BlockForm, MemberFilterForm, MembershipPolicyForm, RoleForm

LIST_PREFIX = "/manage/members/"


def _roles() -> list[tuple[str, str]]:
    # Translated once per page, not once per row and option.
    return [(value, str(label)) for value, label in Role.choices]


def member_list(request):
    form = MemberFilterForm(request.GET)
    members = selectors.members_filtered(**form.filters())
    page, page_range = selectors.members_page(members, request.GET.get("page"))
    pending = list(selectors.members_pending()[: selectors.PENDING_SHOWN + 1])
    return render(
        request,
        "members/list.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "pending": pending[: selectors.PENDING_SHOWN],
            "more_pending": len(pending) > selectors.PENDING_SHOWN,
            "roles": _roles(),
            "here": request.get_full_path(),
        },
    )


def member_export(request):
    members = selectors.members_filtered(**MemberFilterForm(request.GET).filters())
    response = HttpResponse(members_csv(members), content_type="text/csv; charset=utf-8")
    filename = f"members-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _member(pk: int):
    member = selectors.member_by_pk(pk)
    if member is None:
        raise Http404("No such member.")
    return member


def member_detail(request, pk: int):
    member = _member(pk)
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "history": list(selectors.member_history(member)[:50]),
            "roles": _roles(),
            "block_form": BlockForm(),
            "here": request.get_full_path(),
        },
    )


def _back(request):
    """Back to the members page the form was sent from (with its filters and page)."""
    target = request.POST.get("next", "")
    if (
        target.startswith(LIST_PREFIX)
        and ".." not in target  # a browser would resolve it to a page outside
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(target)
    return redirect("members:list")


def _apply(request, change: Callable[[], object], success: str) -> bool:
    """Run `change`; tell the admin how it went (a refusal is a message, not an error page)."""
    try:
        change()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


@require_POST
def member_role(request, pk: int):
    member = _member(pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
        return _back(request)
    role = form.cleaned_data["role"]
    changed = _apply(
        request,
        lambda: services.member_role_change(member=member, role=role, actor=request.user),
        _("%(name)s now has the role %(role)s.") % {"name": member, "role": Role(role).label},
    )
    if changed and member.pk == request.user.pk and role != Role.ADMIN:
        return redirect("/")  # they gave up their own admin rights: the members admin is closed
    return _back(request)


@require_POST
def member_block(request, pk: int):
    member = _member(pk)
    reason = request.POST.get("reason", "")
    _apply(
        request,
        lambda: services.member_block(member=member, actor=request.user, reason=reason),
        _("%(name)s is blocked and can no longer log in; their content stays.") % {"name": member},
    )
    return _back(request)


def _simple_action(service, done: str):
    """A POST view that applies `service` to the member and goes back with `done` or the
    refusal."""

    @require_POST
    def view(request, pk: int):
        member = _member(pk)
        _apply(
            request,
            lambda: service(member=member, actor=request.user),
            done % {"name": member},
        )
        return _back(request)

    return view


member_unblock = _simple_action(services.member_unblock, _lazy("%(name)s can log in again."))
member_approve = _simple_action(
    services.member_approve, _lazy("%(name)s is approved and can log in now.")
)
member_decline = _simple_action(
    services.member_decline,
    _lazy("The registration of %(name)s is declined and the account deleted."),
)


def membership_policy(request):
    form = MembershipPolicyForm.for_policy(current_membership_policy(), request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.membership_policy_update(
                    actor=request.user,
                    registration=data["registration"],
                    allowed_domains=data["allowed_domains"],
                    members_only=data["members_only"],
                    admin_mfa_required=data["admin_mfa_required"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The membership rules are saved."))
                return redirect("members:policy")
        status = 400
    return render(request, "members/policy.html", {"form": form}, status=status)


def _statistics_charts(stats: selectors.WeeklyStatistics) -> list[dict]:
    labels = [date_format(week, "SHORT_DATE_FORMAT") for week in stats.weeks]
    weeks, heading = len(labels), _("Week starting")
    charts = [
        (
            line_chart,
            Chart(
                key="members",
                title=_("Members over time"),
                description=_(
                    "Line chart: members at the end of each of the last %(weeks)s weeks, "
                    "from %(first)s to %(last)s."
                )
                % {"weeks": weeks, "first": stats.members[0], "last": stats.members[-1]},
                labels=labels,
                values=stats.members,
                label_heading=heading,
                value_heading=_("Members"),
            ),
        ),
        (
            bar_chart,
            Chart(
                key="signups",
                title=_("Sign-ups per week"),
                description=_(
                    "Bar chart: new accounts in each of the last %(weeks)s weeks, %(total)s in "
                    "all, at most %(most)s in one week."
                )
                % {"weeks": weeks, "total": sum(stats.signups), "most": max(stats.signups)},
                labels=labels,
                values=stats.signups,
                label_heading=heading,
                value_heading=_("Sign-ups"),
            ),
        ),
        (
            bar_chart,
            Chart(
                key="active",
                title=_("Active members per week"),
                description=_(
                    "Bar chart: members by the week of their latest visit, over the last "
                    "%(weeks)s weeks; %(total)s members visited in this time. Only the latest "
                    "visit of each member is known."
                )
                % {"weeks": weeks, "total": sum(stats.last_seen)},
                labels=labels,
                values=stats.last_seen,
                label_heading=heading,
                value_heading=_("Members last seen"),
            ),
        ),
    ]
    return [{"title": chart.title, "html": draw(chart)} for draw, chart in charts]


def member_statistics(request):
    return render(
        request,
        "members/statistics.html",
        {"charts": _statistics_charts(selectors.member_statistics())},
    )
