"""Pages of proposals: a space's proposals, drafting and editing, versions and their diff,
co-signing, submitting, the letter and the council's answer as downloads, the public timeline
of the portal, the admins' step form, feeds and the CSV export, and the administrators' pages
for recipient bodies, the OParl import and the threshold.

Each view finds the space with spaces.selectors.space_for and the proposal with
proposals.selectors.proposal_for (invisible, missing, or of another space: the same 404) and
calls one service; bad input re-shows the form with what was typed and status 400. Actions are
POST only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors, flash_service_errors, int_or_none
from core.richtext import render as render_richtext
from proposals import export, selectors, services
from proposals.forms import BodyForm, OParlForm, ProposalForm, StepForm, ThresholdForm
from proposals.models import BodyKind, ProposalStatus

SANDBOX = "sandbox; default-src 'none'"


def _space(request, slug: str):
    from spaces.selectors import space_for

    return space_for(user=request.user, slug=slug)


def list_filters(params) -> dict:
    """Filters of the timeline, feeds and API from query parameters; unknown values are
    ignored rather than refused (a shared link stays usable)."""
    status = params.get("status", "")
    return {
        "status": status if status in ProposalStatus.values else "",
        "recipient_id": int_or_none(params.get("to")),
        "topic_id": int_or_none(params.get("topic")),
        "district": (params.get("district") or "").strip()[:120],
    }


# --- the portal's timeline -------------------------------------------------------------------


def proposal_list(request):
    from spaces.selectors import is_portal_staff

    filters = list_filters(request.GET)
    page, page_range = selectors.page_of(
        selectors.proposals_for_listing(user=request.user, **filters), request.GET.get("page")
    )
    return render(
        request,
        "proposals/list.html",
        {
            "proposals": page.object_list,
            "page": page,
            "page_range": page_range,
            "filters": filters,
            "statuses": [c for c in ProposalStatus.choices if c[0] != ProposalStatus.DRAFT],
            "bodies": selectors.recipients_open(),
            "topics": selectors.topics(),
            "districts": selectors.districts(user=request.user),
            "can_export": is_portal_staff(request.user),
        },
    )


def proposal_export(request):
    """Every proposal the reader sees, as CSV, for the portal's moderators and administrators."""
    from spaces.selectors import is_portal_staff

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_portal_staff(request.user):
        raise PermissionDenied
    body = export.proposals_csv(selectors.proposals_for_export(user=request.user))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="proposals-{stamp}.csv"'
    return response


# --- a space's proposals ----------------------------------------------------------------------


def space_list(request, slug: str):
    from spaces.selectors import can_contribute

    space = _space(request, slug)
    page, page_range = selectors.page_of(
        selectors.proposals_of_space(user=request.user, space=space), request.GET.get("page")
    )
    return render(
        request,
        "proposals/space_list.html",
        {
            "space": space,
            "proposals": page.object_list,
            "page": page,
            "page_range": page_range,
            "can_start": can_contribute(user=request.user, space=space),
        },
    )


def _form(request, *, data=None, initial=None, editing=False):
    return ProposalForm(
        data,
        initial=initial,
        bodies=list(selectors.recipients_open()),
        topics=list(selectors.topics()),
        editing=editing,
    )


def _idea_initial(request) -> tuple[object | None, dict]:
    idea_id = int_or_none(request.GET.get("idea") or request.POST.get("idea"))
    if not idea_id:
        return None, {}
    from ideas.selectors import ideas_visible_to

    idea = ideas_visible_to(user=request.user).filter(pk=idea_id).first()
    if idea is None:
        return None, {}
    return idea, {
        "title": idea.title,
        "text": idea.description,
        "topic": idea.topic_id,
        "place": idea.place,
    }


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request, slug: str):
    from spaces.selectors import can_contribute

    space = _space(request, slug)
    if not can_contribute(user=request.user, space=space):
        raise PermissionDenied(_("Only active members of this space can start a proposal."))
    idea, initial = _idea_initial(request)
    context = {"space": space, "idea": idea}
    if request.method != "POST":
        return render(
            request, "proposals/form.html", {**context, "form": _form(request, initial=initial)}
        )
    form = _form(request, data=request.POST)
    if form.is_valid():
        try:
            proposal = services.proposal_start(
                actor=request.user,
                space=space,
                idea_id=idea.pk if idea else None,
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The draft is saved. Collect co-signatures next."))
            return redirect(proposal)
    return render(request, "proposals/form.html", {**context, "form": form}, status=400)


def _detail_context(request, proposal, **extra) -> dict:
    from spaces.selectors import is_portal_staff

    user = request.user
    threshold = selectors.proposal_settings().cosigner_threshold
    signatures = list(selectors.signatures_of(proposal))
    latest = max((v.number for v in proposal.versions.all()), default=1)
    step_form = None
    statuses = selectors.next_statuses(proposal) if is_portal_staff(user) else []
    if statuses:
        step_form = StepForm(
            statuses=statuses, meetings=selectors.meetings_for(body=proposal.recipient)
        )
    context = {
        "proposal": proposal,
        "space": proposal.space,
        "text_html": render_richtext(proposal.text),
        "signatures": signatures,
        "signature_count": len(signatures),
        "threshold": threshold,
        "missing": max(threshold - len(signatures), 0),
        "latest_version": latest,
        "signed": any(s.user_id == user.pk for s in signatures),
        "can_sign": services.can_sign(user=user, proposal=proposal),
        "can_edit": services.can_edit(user=user, proposal=proposal),
        "can_submit": services.can_submit(user=user, proposal=proposal),
        "timeline": list(selectors.timeline_of(proposal)),
        "step_form": step_form,
        "step_form_open": False,
    }
    context.update(extra)
    return context


def proposal_detail(request, slug: str, pk: int):
    proposal = selectors.proposal_for(user=request.user, slug=slug, pk=pk)
    return render(request, "proposals/detail.html", _detail_context(request, proposal))


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, slug: str, pk: int):
    proposal = selectors.proposal_for(user=request.user, slug=slug, pk=pk)
    if not services.can_edit(user=request.user, proposal=proposal):
        if not proposal.is_draft:
            messages.error(request, _("A submitted proposal cannot be changed any more."))
            return redirect(proposal)
        raise PermissionDenied(_("Only active members of this space can edit the proposal."))
    context = {"space": proposal.space, "proposal": proposal}
    if request.method != "POST":
        initial = {
            "title": proposal.title,
            "text": proposal.text,
            "recipient": proposal.recipient_id,
            "topic": proposal.topic_id,
            "place": proposal.place,
        }
        form = _form(request, initial=initial, editing=True)
        return render(request, "proposals/form.html", {**context, "form": form})
    form = _form(request, data=request.POST, editing=True)
    if form.is_valid():
        try:
            version = services.proposal_edit(
                actor=request.user, proposal=proposal, **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if version is not None:
                messages.success(
                    request, _("Saved as version %(number)d.") % {"number": version.number}
                )
            else:
                messages.success(request, _("The changes are saved."))
            return redirect(proposal)
    return render(request, "proposals/form.html", {**context, "form": form}, status=400)


def proposal_versions(request, slug: str, pk: int):
    """Every version, and the difference between two of them (?from=&to=, default: the last
    two)."""
    proposal = selectors.proposal_for(user=request.user, slug=slug, pk=pk)
    versions = list(selectors.versions_of(proposal))
    numbers = [v.number for v in versions]
    newer_n = int_or_none(request.GET.get("to")) or (numbers[0] if numbers else None)
    older_n = int_or_none(request.GET.get("from")) or (numbers[1] if len(numbers) > 1 else None)
    diff, older, newer = None, None, None
    if older_n and newer_n and older_n in numbers and newer_n in numbers and older_n != newer_n:
        older = next(v for v in versions if v.number == min(older_n, newer_n))
        newer = next(v for v in versions if v.number == max(older_n, newer_n))
        diff = selectors.diff_versions(older, newer)
    return render(
        request,
        "proposals/versions.html",
        {
            "proposal": proposal,
            "space": proposal.space,
            "versions": versions,
            "diff": diff,
            "older": older,
            "newer": newer,
        },
    )


@login_required
@require_POST
def proposal_cosign(request, slug: str, pk: int):
    proposal = selectors.proposal_for(user=request.user, slug=slug, pk=pk)
    try:
        services.proposal_cosign(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("You co-signed this proposal."))
    return redirect(proposal)


@login_required
@require_POST
def proposal_unsign(request, slug: str, pk: int):
    proposal = selectors.proposal_for(user=request.user, slug=slug, pk=pk)
    try:
        if services.proposal_unsign(actor=request.user, proposal=proposal):
            messages.success(request, _("Your signature is withdrawn."))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    return redirect(proposal)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_submit(request, slug: str, pk: int):
    """GET shows what will be sent and what is missing; POST submits."""
    proposal = selectors.proposal_for(user=request.user, slug=slug, pk=pk)
    if not proposal.is_draft:
        return redirect(proposal)
    if not services.can_submit(user=request.user, proposal=proposal):
        raise PermissionDenied(_("Only the admins of this space can submit its proposals."))
    context = {
        "proposal": proposal,
        "space": proposal.space,
        "signatories": selectors.signatories(proposal),
        "missing": selectors.missing_signatures(proposal=proposal),
        "errors": [],
    }
    if request.method == "POST":
        try:
            services.proposal_submit(actor=request.user, proposal=proposal)
        except ValidationError as exc:
            context["errors"] = exc.messages
            return render(request, "proposals/submit.html", context, status=400)
        messages.success(
            request,
            _("The proposal is submitted; the letter goes to %(body)s by e-mail.")
            % {"body": proposal.recipient.name},
        )
        return redirect(proposal)
    return render(request, "proposals/submit.html", context)


def _pdf(name: str, filename: str):
    try:
        handle = default_storage.open(name, "rb")
    except (OSError, ValueError) as exc:
        raise Http404("No such file.") from exc
    response = FileResponse(handle, content_type="application/pdf", filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-cache"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def proposal_letter(request, slug: str, pk: int):
    """The letter as it was sent; as public as the submitted proposal."""
    proposal = selectors.proposal_for(user=request.user, slug=slug, pk=pk)
    if not proposal.letter:
        raise Http404
    return _pdf(proposal.letter, f"{proposal.reference}.pdf")


def proposal_answer(request, slug: str, pk: int, step: int):
    proposal = selectors.proposal_for(user=request.user, slug=slug, pk=pk)
    entry = selectors.step_of(proposal, step)
    if not entry.attachment:
        raise Http404
    return _pdf(entry.attachment, f"{proposal.reference or proposal.pk}-answer-{entry.pk}.pdf")


@login_required
@require_POST
def proposal_step(request, slug: str, pk: int):
    from spaces.selectors import is_portal_staff

    proposal = selectors.proposal_for(user=request.user, slug=slug, pk=pk)
    if not is_portal_staff(request.user):
        raise PermissionDenied(_("Only the portal's moderators and administrators can do this."))
    form = StepForm(
        request.POST,
        request.FILES,
        statuses=selectors.next_statuses(proposal),
        meetings=selectors.meetings_for(body=proposal.recipient),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_record_step(
                actor=request.user,
                proposal=proposal,
                status=data["status"],
                decision=data["decision"],
                meeting_id=data.get("meeting"),
                note=data["note"],
                attachment=data.get("attachment") or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The step is on the timeline; everyone concerned is told."))
            return redirect(proposal)
    context = _detail_context(request, proposal, step_form=form, step_form_open=True)
    return render(request, "proposals/detail.html", context, status=400)


# --- the administrators' pages ----------------------------------------------------------------


def _manage_context(**extra) -> dict:
    return {
        "bodies": selectors.bodies_for_admin(),
        "imports": selectors.latest_imports(),
        "threshold_form": ThresholdForm(
            initial={"cosigner_threshold": selectors.proposal_settings().cosigner_threshold}
        ),
        "oparl_form": OParlForm(),
        **extra,
    }


def manage(request):
    return render(request, "proposals/manage.html", _manage_context())


@require_POST
def manage_threshold(request):
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.settings_update(
                actor=request.user, cosigner_threshold=form.cleaned_data["cosigner_threshold"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The threshold is saved."))
            return redirect("proposals_manage:index")
    return render(
        request, "proposals/manage.html", _manage_context(threshold_form=form), status=400
    )


@require_POST
def manage_oparl(request):
    form = OParlForm(request.POST)
    if form.is_valid():
        try:
            services.oparl_import_start(actor=request.user, url=form.cleaned_data["url"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The import has started. Its result shows below in a moment; reload the page."),
            )
            return redirect("proposals_manage:index")
    return render(request, "proposals/manage.html", _manage_context(oparl_form=form), status=400)


@require_http_methods(["GET", "POST"])
def body_edit(request, pk: int | None = None):
    body = selectors.body_for_admin(pk=pk) if pk else None
    if request.method != "POST":
        initial = (
            {"name": body.name, "kind": body.kind, "email": body.email, "active": body.active}
            if body
            else {"kind": BodyKind.DISTRICT_COUNCIL, "active": True}
        )
        return render(
            request, "proposals/body_form.html", {"body": body, "form": BodyForm(initial=initial)}
        )
    form = BodyForm(request.POST)
    if form.is_valid():
        try:
            services.body_save(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The body is saved."))
            return redirect(reverse("proposals_manage:index"))
    return render(request, "proposals/body_form.html", {"body": body, "form": form}, status=400)
