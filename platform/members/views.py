"""The members admin (mounted with manage_path: portal administrators only). Views parse the
request, call one selector or service and answer; a refused change comes back as a message on
the page it was asked from, never as an error page.

The invitation link's page (`invitation_accept`, `invitation_renew`) is the one public part:
it is mounted by members.urls_invitation, outside /manage/. An unknown link, or one of another
portal, is a 404; one that can no longer be used is a 410 page that says why and what to do.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import membership_policy as current_membership_policy
from members import invitees, selectors, services
from members.charts import Chart, bar_chart, line_chart
from members.export import members_csv
from members.forms import (
    BlockForm,
    InvitationAcceptForm,
    InvitationConfirmForm,
    InvitationFilterForm,
    InvitationForm,
    InvitationUploadForm,
    MemberFilterForm,
    MembershipPolicyForm,
    RoleForm,
)
from members.models import InvitationStatus

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


def _back(request, fallback: str = "members:list"):
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
    return redirect(fallback)


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


# Invitations: the admin's pages


def _limit_warning(request) -> str:
    return selectors.invitation_limit_warning(getattr(request, "portal", None))


def invitation_list(request):
    form = InvitationFilterForm(request.GET)
    status = form.status_value()
    page, page_range = selectors.members_page(
        selectors.invitations_filtered(status=status), request.GET.get("page")
    )
    counts = selectors.invitation_counts()
    return render(
        request,
        "members/invitations.html",
        {
            "page": page,
            "page_range": page_range,
            "status": status,
            "tabs": [
                {"value": value, "label": label, "count": counts[value]}
                for value, label in InvitationStatus.choices
            ],
            "total": sum(counts.values()),
            "limit_warning": _limit_warning(request),
            "here": request.get_full_path(),
        },
    )


def invitation_new(request):
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = services.invitation_create(**form.cleaned_data, actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("The invitation to %(email)s is on its way.") % {"email": invitation.email},
                )
                if warning := _limit_warning(request):
                    messages.warning(request, warning)
                return redirect("members:invitations")
        status = 400
    return render(
        request,
        "members/invitation_new.html",
        {"form": form, "limit_warning": _limit_warning(request)},
        status=status,
    )


def _upload_page(request, form, status: int = 200, errors=()):
    return render(
        request,
        "members/invitations_upload.html",
        {
            "form": form,
            "errors": list(errors),
            "max_rows": invitees.MAX_ROWS,
            "columns": ", ".join(invitees.COLUMNS),
        },
        status=status,
    )


def invitation_upload(request):
    """The CSV file is read and every row checked; nothing is created before the preview is
    confirmed (invitation_confirm)."""
    form = InvitationUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _upload_page(request, form)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One byte more than allowed is enough to know that a file is too large.
            rows = invitees.rows_check(invitees.csv_read(upload.read(invitees.MAX_BYTES + 1)))
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            valid = sum(1 for row in rows if row.ok)
            return render(
                request,
                "members/invitations_preview.html",
                {
                    "rows": rows,
                    "valid": valid,
                    "skipped": len(rows) - valid,
                    "confirm": InvitationConfirmForm(
                        initial={"payload": invitees.payload_sign(rows, actor=request.user)}
                    ),
                    "limit_warning": _limit_warning(request),
                },
            )
    return _upload_page(request, form, status=400)


@require_POST
def invitation_confirm(request):
    form = InvitationConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Upload the file again; nothing was sent."))
        rows = invitees.payload_rows(form.cleaned_data["payload"], actor=request.user)
        result = services.invitations_bulk_create(rows=rows, actor=request.user)
    except ValidationError as exc:
        return _upload_page(request, InvitationUploadForm(), status=400, errors=exc.messages)
    return render(
        request,
        "members/invitations_result.html",
        {
            "created": len(result.created),
            "skipped": result.skipped,
            "limit_warning": _limit_warning(request),
        },
    )


def _invitation(pk: int):
    invitation = selectors.invitation_by_pk(pk)
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


@require_POST
def invitation_resend(request, pk: int):
    invitation = _invitation(pk)
    _apply(
        request,
        lambda: services.invitation_resend(invitation=invitation, actor=request.user),
        _("The invitation to %(email)s is sent again, with a new link valid for 14 days.")
        % {"email": invitation.email},
    )
    return _back(request, "members:invitations")


@require_POST
def invitation_revoke(request, pk: int):
    invitation = _invitation(pk)
    _apply(
        request,
        lambda: services.invitation_revoke(invitation=invitation, actor=request.user),
        _("The invitation to %(email)s is withdrawn; its link no longer works.")
        % {"email": invitation.email},
    )
    return _back(request, "members:invitations")


# Invitations: the public page of the link (members.urls_invitation)


def _link_page(response):
    # The token is in the address: no cache keeps the page, no other site learns the address.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _invitation_unknown(request):
    return _link_page(render(request, "members/invitation_unknown.html", status=404))


def _invitation_gone(request, invitation, reason: str, token: str):
    return _link_page(
        render(
            request,
            "members/invitation_gone.html",
            {"invitation": invitation, "reason": reason, "token": token},
            status=410,
        )
    )


def _accept_errors(form, exc: ValidationError) -> None:
    fields = {"password": "password1", "display_name": "display_name"}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(fields.get(name), ValidationError(errors))


@never_cache
def invitation_accept(request, token: str):
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return _invitation_unknown(request)
    if obstacle := selectors.invitation_obstacle(invitation):
        return _invitation_gone(request, invitation, obstacle, token)
    form = InvitationAcceptForm(
        request.POST or None, initial={"display_name": invitation.display_name}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    token=token,
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                    language=translation.get_language() or "",
                )
            except services.InvitationUnusable as exc:
                return _invitation_gone(request, invitation, exc.reason, token)
            except ValidationError as exc:
                if getattr(exc, "code", None) == "unknown":
                    return _invitation_unknown(request)
                _accept_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome! Your account is ready."))
                return redirect("/")
        status = 400
    return _link_page(
        render(
            request,
            "members/invitation_accept.html",
            {"invitation": invitation, "form": form},
            status=status,
        )
    )


@never_cache
@require_POST
def invitation_renew(request, token: str):
    """From an expired link: ask the administrators for a new invitation."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return _invitation_unknown(request)
    try:
        told = services.invitation_renewal_request(invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if told:
            messages.success(
                request,
                _(
                    "The administrators have been told that you would like a new invitation. It "
                    "will come by e-mail to %(email)s."
                )
                % {"email": invitation.email},
            )
        else:
            messages.info(request, _("The administrators have been told already today."))
    return redirect("invitations:accept", token=token)
