"""Pages of a space's discussions: the list, a thread with its comments, starting, editing,
pinning and deleting a thread, and its edit history.

Each view finds the space with spaces.selectors.space_for and the thread with
discussions.selectors.thread_for (invisible is the same 404 as missing) and calls one service;
bad input re-shows the form with what was typed and status 400.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from discussions import selectors, services
from discussions.forms import ThreadForm


def _space(request, slug: str):
    from spaces.selectors import space_for

    return space_for(user=request.user, slug=slug)


def _errors_into(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def thread_list(request, slug: str):
    space = _space(request, slug)
    return render(
        request,
        "discussions/list.html",
        {
            "space": space,
            "threads": selectors.threads_of_space(user=request.user, space=space),
            "can_start": selectors.can_start(user=request.user, space=space),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request, slug: str):
    space = _space(request, slug)
    if not selectors.can_start(user=request.user, space=space):
        raise PermissionDenied(_("Only members of this space can start a discussion."))
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_create(
                author=request.user,
                space=space,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Your discussion is started."))
            return redirect(thread)
    return render(
        request,
        "discussions/form.html",
        {"space": space, "form": form, "title": _("Start a discussion")},
        status=400 if request.method == "POST" else 200,
    )


def thread_detail(request, slug: str, pk: int):
    space = _space(request, slug)
    thread = selectors.thread_for(user=request.user, space=space, pk=pk)
    return render(
        request,
        "discussions/thread.html",
        {
            "space": space,
            "thread": thread,
            "can_edit": selectors.can_edit(user=request.user, thread=thread),
            "can_moderate": selectors.can_moderate(user=request.user, thread=thread),
            "can_delete": selectors.can_delete(user=request.user, thread=thread),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_edit(request, slug: str, pk: int):
    space = _space(request, slug)
    thread = selectors.thread_for(user=request.user, space=space, pk=pk)
    if not selectors.can_edit(user=request.user, thread=thread):
        raise PermissionDenied(_("Only the author or a space admin can edit this discussion."))
    form = ThreadForm(request.POST or None, initial={"title": thread.title, "body": thread.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.thread_edit(
                user=request.user,
                thread=thread,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The discussion is changed."))
            return redirect(thread)
    return render(
        request,
        "discussions/form.html",
        {"space": space, "thread": thread, "form": form, "title": _("Edit the discussion")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def thread_pin(request, slug: str, pk: int):
    space = _space(request, slug)
    thread = selectors.thread_for(user=request.user, space=space, pk=pk)
    if request.POST.get("pinned") == "0":
        services.thread_unpin(user=request.user, thread=thread)
        messages.success(request, _("The discussion is no longer pinned."))
    else:
        services.thread_pin(user=request.user, thread=thread)
        messages.success(request, _("The discussion is pinned to the top."))
    return redirect(thread)


@login_required
@require_http_methods(["GET", "POST"])
def thread_delete(request, slug: str, pk: int):
    space = _space(request, slug)
    thread = selectors.thread_for(user=request.user, space=space, pk=pk)
    if not selectors.can_delete(user=request.user, thread=thread):
        raise PermissionDenied(_("Only the author, a space admin or a moderator can delete it."))
    if request.method == "POST":
        services.thread_delete(user=request.user, thread=thread)
        messages.success(request, _("The discussion is deleted."))
        return redirect("discussions:list", slug=space.slug)
    return render(request, "discussions/delete.html", {"space": space, "thread": thread})


def thread_history(request, slug: str, pk: int):
    from comments.selectors import revisions_of

    space = _space(request, slug)
    thread = selectors.thread_for(user=request.user, space=space, pk=pk)
    return render(
        request,
        "discussions/history.html",
        {"space": space, "thread": thread, "revisions": revisions_of(thread)},
    )
