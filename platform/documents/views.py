"""Pages of a space's documents, and the one way to download a file.

Every page starts from documents.selectors: a space whose documents the caller may not read,
and a document they may not see, are the same 404 as one that does not exist. Visitors are
sent to log in first (before anything is looked up, so the redirect says nothing either).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import selectors, services
from documents.forms import FolderForm, UploadForm, VersionForm
from documents.sniff import INLINE, TEXT
from spaces.selectors import can_contribute

SANDBOX = "sandbox; default-src 'none'"
# Chromium (checked with 156) shows a PDF under SANDBOX as it is, and an image too, but
# blocks the inline styles of the page it generates around an image (centring, background).
# Those styles are the browser's own: the file is never parsed as markup (its type is
# sniffed, and nosniff), so allowing them costs nothing. The sandbox stays: no script runs.
SANDBOX_INLINE = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _folder_page(request, space, folder, *, upload_form=None, folder_form=None, status=200):
    user = request.user
    context = {
        "space": space,
        "folder": folder,
        "folders": selectors.space_folders(user=user, space=space, parent=folder),
        "documents": selectors.space_documents(user=user, space=space, folder=folder),
        "can_contribute": can_contribute(user=user, space=space),
        "upload_form": upload_form
        or UploadForm(
            folders=selectors.space_all_folders(user=user, space=space),
            initial={"folder": folder},
        ),
        "folder_form": folder_form or FolderForm(),
        "can_delete_folder": folder is not None
        and services.can_delete_folder(user=user, folder=folder),
    }
    return render(request, "documents/list.html", context, status=status)


@login_required
def document_list(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    return _folder_page(request, space, None)


@login_required
def folder_detail(request, slug: str, folder: int):
    space = selectors.space_for(user=request.user, slug=slug)
    return _folder_page(
        request, space, selectors.folder_for(user=request.user, space=space, pk=folder)
    )


@login_required
def upload(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    folders = selectors.space_all_folders(user=request.user, space=space)
    if request.method != "POST":
        initial = {}
        if request.GET.get("folder", "").isdigit():
            initial["folder"] = folders.filter(pk=request.GET["folder"]).first()
        form = UploadForm(folders=folders, initial=initial)
        return render(request, "documents/upload.html", {"space": space, "form": form})
    form = UploadForm(request.POST, request.FILES, folders=folders)
    if form.is_valid():
        try:
            document = services.document_upload(
                user=request.user,
                space=space,
                folder=form.cleaned_data["folder"],
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The document is uploaded."))
            return redirect(document)
    return render(request, "documents/upload.html", {"space": space, "form": form}, status=400)


@login_required
@require_POST
def folder_create(request, slug: str):
    space = selectors.space_for(user=request.user, slug=slug)
    parent = None
    if request.POST.get("parent"):
        if not request.POST["parent"].isdigit():
            raise Http404("No such folder.")
        parent = selectors.folder_for(
            user=request.user, space=space, pk=int(request.POST["parent"])
        )
    form = FolderForm(request.POST)
    if form.is_valid():
        try:
            folder = services.folder_create(
                user=request.user, space=space, name=form.cleaned_data["name"], parent=parent
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The folder is created."))
            return redirect(folder)
    return _folder_page(request, space, parent, folder_form=form, status=400)


@login_required
@require_POST
def folder_delete(request, slug: str, folder: int):
    space = selectors.space_for(user=request.user, slug=slug)
    folder = selectors.folder_for(user=request.user, space=space, pk=folder)
    try:
        services.folder_delete(user=request.user, folder=folder)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(folder)
    messages.success(request, _("The folder is deleted."))
    if folder.parent_id:
        return redirect("documents:folder", slug=slug, folder=folder.parent_id)
    return redirect("documents:list", slug=slug)


def _detail_page(request, space, document, *, form=None, status=200):
    user = request.user
    context = {
        "space": space,
        "document": document,
        "versions": selectors.versions_of(document),
        "form": form or VersionForm(),
        "can_contribute": can_contribute(user=user, space=space),
        "can_delete": services.can_delete(user=user, document=document),
    }
    return render(request, "documents/detail.html", context, status=status)


@login_required
def document_detail(request, slug: str, pk: int):
    space = selectors.space_for(user=request.user, slug=slug)
    document = selectors.document_for(user=request.user, space=space, pk=pk)
    return _detail_page(request, space, document)


@login_required
@require_POST
def version_add(request, slug: str, pk: int):
    space = selectors.space_for(user=request.user, slug=slug)
    document = selectors.document_for(user=request.user, space=space, pk=pk)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.version_add(
                user=request.user, document=document, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("Version %(number)d is uploaded.") % {"number": version.number}
            )
            return redirect(document)
    return _detail_page(request, space, document, form=form, status=400)


@login_required
@require_POST
def document_delete(request, slug: str, pk: int):
    space = selectors.space_for(user=request.user, slug=slug)
    document = selectors.document_for(user=request.user, space=space, pk=pk)
    services.document_delete(user=request.user, document=document)
    messages.success(request, _("The document is deleted."))
    if document.folder_id:
        return redirect("documents:folder", slug=slug, folder=document.folder_id)
    return redirect("documents:list", slug=slug)


@login_required
def download(request, slug: str, pk: int, number: int | None = None):
    """The file of a version (default: the latest), never through /media/. Images and PDFs
    open in the browser, everything else is a download; always nosniff and sandboxed."""
    space = selectors.space_for(user=request.user, slug=slug)
    version = selectors.version_for(user=request.user, space=space, pk=pk, number=number)
    try:
        handle = version.file.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404("No such file.") from exc
    inline = version.content_type in INLINE
    content_type = version.content_type
    if content_type == TEXT:
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=version.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_INLINE if inline else SANDBOX
    response["Cache-Control"] = "private, no-cache"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
