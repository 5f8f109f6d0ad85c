"""Pages of groups and projects, and the member dashboard.

Each view parses input, asks a selector or calls one service, and answers. A space the caller
may not see is the same 404 as a missing one (`selectors.space_for`); an action they may not do
in a space they can see is a 403 (the services raise PermissionDenied). Actions are POST only;
a refused form is shown again with what was typed and status 400.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, flash_service_errors, int_or_none
from core.richtext import render as render_richtext
from features.selectors import enabled_here
from spaces import selectors, services
from spaces.forms import InviteForm, JoinForm, SpaceEditForm, SpaceForm, TransferForm
from spaces.models import MembershipStatus, SpaceKind


def space_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in SpaceKind.values else ""
    topic_id = int_or_none(request.GET.get("topic"))
    mine = request.user.is_authenticated and request.GET.get("mine") == "1"
    current, archived = selectors.spaces_for_listing(
        user=request.user, kind=kind, topic_id=topic_id, mine=mine
    )
    return render(
        request,
        "spaces/list.html",
        {
            "spaces": current,
            "archived": archived,
            "topics": selectors.topics(),
            "kinds": SpaceKind.choices,
            "kind": kind,
            "topic_id": topic_id,
            "mine": mine,
        },
    )


SHOWN_MEMBERS = 30


def _detail_context(request, space, **extra) -> dict:
    user = request.user
    membership = selectors.membership_of(user=user, space=space)
    is_admin = selectors.is_space_admin(user=user, space=space)
    context = {
        "space": space,
        "description_html": render_richtext(space.description),
        "topics": list(space.topics.all()),
        "membership": membership,
        "is_member": membership is not None and membership.is_active,
        "is_admin": is_admin,
        "member_count": selectors.active_member_count(space=space),
        # The first few, admins first: a big space's page stays a page (the count says the rest).
        "members": (
            list(selectors.members_of(space=space)[:SHOWN_MEMBERS])
            if selectors.may_see_members(user=user, space=space)
            else None
        ),
        "requests": (
            list(selectors.pending_of(space=space, status=MembershipStatus.REQUESTED))
            if is_admin
            else []
        ),
        "invitations": (
            list(selectors.pending_of(space=space, status=MembershipStatus.INVITED))
            if is_admin
            else []
        ),
        "join_form": JoinForm(),
    }
    if context["members"] is not None:
        context["more_members"] = max(context["member_count"] - len(context["members"]), 0)
    context.update(extra)
    return context


def space_detail(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    return render(request, "spaces/detail.html", _detail_context(request, space))


def _space_form(form_class, request, *, data=None, files=None, initial=None):
    return form_class(
        data,
        files,
        initial=initial,
        topics=list(selectors.topics()),
        private_allowed=enabled_here("private_spaces"),
    )


@login_required
def space_create(request):
    if request.method != "POST":
        return render(request, "spaces/form.html", {"form": _space_form(SpaceForm, request)})
    form = _space_form(SpaceForm, request, data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            space = services.space_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The space is created. You are its admin."))
            return redirect(space)
    return render(request, "spaces/form.html", {"form": form}, status=400)


@login_required
def space_edit(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    if not selectors.is_space_admin(user=request.user, space=space):
        raise PermissionDenied
    context = {"space": space}
    if request.method != "POST":
        initial = {
            field: getattr(space, field)
            for field in (
                "name", "kind", "description", "place", "visibility", "join_policy", "goal",
                "status", "starts_on", "ends_on",
            )
        }  # fmt: skip
        initial["topics"] = [t.pk for t in space.topics.all()]
        for field in ("latitude", "longitude"):
            initial[field] = getattr(space, field) if getattr(space, field) is not None else ""
        form = _space_form(SpaceEditForm, request, initial=initial)
        return render(request, "spaces/form.html", {**context, "form": form})
    form = _space_form(SpaceEditForm, request, data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            services.space_update(
                actor=request.user,
                space=space,
                remove_image=form.cleaned_data["remove_image"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect(space)
    return render(request, "spaces/form.html", {**context, "form": form}, status=400)


@login_required
@require_POST
def space_join(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            membership = services.space_join(
                user=request.user, space=space, message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if membership.is_active:
                messages.success(request, _("You are now a member of this space."))
            else:
                messages.success(request, _("Your request is sent to the space's admins."))
            return redirect(space)
    return render(
        request, "spaces/detail.html", _detail_context(request, space, join_form=form), status=400
    )


@login_required
@require_POST
def space_leave(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    try:
        services.space_leave(user=request.user, space=space)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("You have left the space."))
    return redirect(space)


@login_required
@require_POST
def invitation_accept(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    try:
        services.invitation_accept(user=request.user, space=space)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("You are now a member of this space."))
    return redirect(space)


@login_required
@require_POST
def invitation_decline(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    services.invitation_decline(user=request.user, space=space)
    messages.success(request, _("You have declined the invitation."))
    # A private space is out of sight once the invitation is gone.
    return redirect("spaces:list")


def _require_space_admin(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    if not selectors.is_space_admin(user=request.user, space=space):
        raise PermissionDenied
    return space


def _members_context(request, space, **extra) -> dict:
    members = list(selectors.members_of(space=space))
    context = {
        "space": space,
        "members": members,
        "requests": list(selectors.pending_of(space=space, status=MembershipStatus.REQUESTED)),
        "invitations": list(selectors.pending_of(space=space, status=MembershipStatus.INVITED)),
        "invite_form": InviteForm(),
        "transfer_form": TransferForm(members=[m for m in members if m.user_id != request.user.pk]),
        "invitable": selectors.invitable_names(space=space),
    }
    context.update(extra)
    return context


@login_required
def space_members(request, slug: str):
    space = _require_space_admin(request, slug)
    return render(request, "spaces/members.html", _members_context(request, space))


@login_required
@require_POST
def space_invite(request, slug: str):
    space = _require_space_admin(request, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitee = selectors.portal_member_lookup(query=form.cleaned_data["invitee"])
            membership = services.space_invite(actor=request.user, space=space, invitee=invitee)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if membership.is_active:
                messages.success(
                    request,
                    _("%(member)s had asked to join and is now a member.") % {"member": invitee},
                )
            else:
                messages.success(request, _("%(member)s is invited.") % {"member": invitee})
            return redirect("spaces:members", slug=space.slug)
    return render(
        request,
        "spaces/members.html",
        _members_context(request, space, invite_form=form),
        status=400,
    )


@login_required
@require_POST
def request_decide(request, slug: str, pk: int):
    space = _require_space_admin(request, slug)
    membership = selectors.membership_in(space=space, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("Choose to approve or to decline the request."))
        return redirect("spaces:members", slug=space.slug)
    approve = decision == "approve"
    try:
        services.space_request_decide(actor=request.user, membership=membership, approve=approve)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        if approve:
            messages.success(
                request, _("%(member)s is now a member.") % {"member": membership.user}
            )
        else:
            messages.success(request, _("The request is declined."))
    return redirect("spaces:members", slug=space.slug)


@login_required
@require_POST
def member_remove(request, slug: str, pk: int):
    space = _require_space_admin(request, slug)
    membership = selectors.membership_in(space=space, pk=pk)
    try:
        services.space_member_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("%(member)s is removed.") % {"member": membership.user})
    return redirect("spaces:members", slug=space.slug)


@login_required
@require_POST
def admin_transfer(request, slug: str):
    space = _require_space_admin(request, slug)
    members = [m for m in selectors.members_of(space=space) if m.user_id != request.user.pk]
    form = TransferForm(request.POST, members=members)
    if form.is_valid():
        target = selectors.member_in(space=space, user_pk=form.cleaned_data["to"])
        try:
            services.space_admin_transfer(actor=request.user, space=space, to=target.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(member)s is now the space's admin.") % {"member": target.user}
            )
            return redirect(space)
    return render(
        request,
        "spaces/members.html",
        _members_context(request, space, transfer_form=form),
        status=400,
    )


@login_required
@require_POST
def space_archive(request, slug: str):
    space = _require_space_admin(request, slug)
    services.space_archive(actor=request.user, space=space)
    messages.success(request, _("The space is archived: it can be read, not changed."))
    return redirect(space)


@login_required
@require_POST
def space_unarchive(request, slug: str):
    space = _require_space_admin(request, slug)
    services.space_unarchive(actor=request.user, space=space)
    messages.success(request, _("The space is back from the archive."))
    return redirect(space)


@login_required
def dashboard(request):
    """What is new for me: my spaces, activity in what I follow, spaces I might like. Without
    the spaces module the selectors return no spaces and the notifications remain."""
    spaces_on = enabled_here(selectors.FEATURE)
    return render(
        request,
        "spaces/dashboard.html",
        {
            "spaces_on": spaces_on,
            "my_spaces": list(
                selectors.member_spaces(user=request.user).prefetch_related("topics")
            ),
            "notifications": list(selectors.latest_notifications(user=request.user)),
            "suggested": list(selectors.suggested_spaces(user=request.user)),
        },
    )
