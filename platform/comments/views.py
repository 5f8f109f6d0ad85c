"""Writing, editing and deleting comments, and a comment's edit history.

The comment lists themselves are rendered where their target is shown (the
`{% comments_section %}` tag). Every view finds its target or comment through the visibility
selectors: invisible is the same 404 as missing. Bad input re-shows the form with the text
kept and status 400.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comments import selectors, services
from comments.forms import CommentForm


def _errors_into(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _form_page(request, *, form, target, title: str, action: str, comment=None, hidden=None):
    context = {"form": form, "target": target, "title": title, "action": action}
    context.update(comment=comment, hidden=hidden or {})
    return render(request, "comments/form_page.html", context, status=400)


@login_required
@require_POST
def comment_create(request):
    target = selectors.target_for(
        user=request.user, key=request.POST.get("target_type"), pk=request.POST.get("target_id")
    )
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(
                author=request.user, target=target, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(comment.get_absolute_url())
    return _form_page(
        request,
        form=form,
        target=target,
        title=_("Write a comment"),
        action=request.path,
        hidden={"target_type": selectors.target_key(target), "target_id": target.pk},
    )


@login_required
@require_POST
def comment_reply(request, pk: int):
    parent = selectors.comment_for(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(
                author=request.user,
                target=parent.target,
                body=form.cleaned_data["body"],
                parent=parent,
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Your reply is published."))
            return redirect(comment.get_absolute_url())
    return _form_page(
        request, form=form, target=parent.target, title=_("Reply"), action=request.path
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk: int):
    comment = selectors.comment_for(user=request.user, pk=pk)
    if request.method == "GET":
        if not selectors.can_edit(user=request.user, comment=comment):
            raise PermissionDenied(_("Only its author can edit a comment."))
        form = CommentForm(initial={"body": comment.body})
        return render(
            request,
            "comments/form_page.html",
            {
                "form": form,
                "target": comment.target,
                "title": _("Edit your comment"),
                "action": request.path,
                "comment": comment,
            },
        )
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_edit(
                user=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("Your comment is changed."))
            return redirect(comment.get_absolute_url())
    return _form_page(
        request,
        form=form,
        target=comment.target,
        title=_("Edit your comment"),
        action=request.path,
        comment=comment,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request, pk: int):
    comment = selectors.comment_for(user=request.user, pk=pk)
    if request.method == "POST":
        services.comment_delete(user=request.user, comment=comment)
        messages.success(request, _("The comment is deleted."))
        return redirect(comment.get_absolute_url())
    return render(request, "comments/delete.html", {"comment": comment, "target": comment.target})


def comment_history(request, pk: int):
    comment = selectors.comment_for(user=request.user, pk=pk)
    return render(
        request,
        "comments/history.html",
        {
            "comment": comment,
            "target": comment.target,
            "revisions": selectors.revisions_of(comment),
        },
    )
