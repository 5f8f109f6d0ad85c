"""Theme pages: the compiled stylesheet, the editor with preview, and the legal pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from features.gate import is_enabled
from themes import selectors, services
from themes.forms import PresetForm, ThemeForm
from themes.presets import PRESETS

UPLOADS = {
    "logo": services.theme_upload_logo,
    "favicon": services.theme_upload_favicon,
    "header_image": services.theme_upload_header_image,
}
LEGAL_PAGES = {
    "impressum": _("Impressum"),
    "privacy": _("Privacy statement"),
    "accessibility": _("Accessibility statement"),
}


def _css_response(css: str, cache_control: str) -> HttpResponse:
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stylesheet(request, css_hash: str):
    css = selectors.stylesheet_by_hash(css_hash)
    if css is None:
        raise Http404("No such stylesheet.")
    # The URL changes with every publish, so the bytes behind it never do.
    return _css_response(css, "public, max-age=31536000, immutable")


def draft_stylesheet(request):
    from themes.tokens import build_tokens, compile_stylesheet

    theme = selectors.draft()
    extra = theme.custom_css if is_enabled(request, "custom_css") else ""
    return _css_response(compile_stylesheet(build_tokens(theme.tokens), extra), "no-store")


def preview(request):
    from news.views import home

    request.theme_preview = True
    return home(request)


def editor(request):
    theme = selectors.draft()
    status = 200
    custom_css = is_enabled(request, "custom_css")
    if request.method == "POST":
        form = ThemeForm(request.POST, request.FILES, custom_css=custom_css)
        if form.is_valid():
            try:
                services.theme_update_draft(**form.changes())
                for field, upload in UPLOADS.items():
                    file = form.cleaned_data.get(field)
                    if file:
                        upload(name=file.name, data=file.read())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = f"colour_{field}" if f"colour_{field}" in form.fields else field
                    form.add_error(target if target in form.fields else None, errors)
                status = 400
            else:
                if "publish" in request.POST:
                    services.theme_publish(actor=request.user)
                    messages.success(request, _("Published. Every page now shows the new theme."))
                else:
                    messages.success(request, _("Draft saved. Open the preview to check it."))
                return redirect("themes:editor")
        else:
            status = 400
    else:
        form = ThemeForm(initial=ThemeForm.initial_from(theme), custom_css=custom_css)
    return render(
        request,
        "themes/editor.html",
        {
            "form": form,
            "preset_form": PresetForm(initial={"preset": theme.preset}),
            "versions": selectors.versions()[:20],
            "published": selectors.published_theme(),
        },
        status=status,
    )


@require_POST
def apply_preset(request):
    form = PresetForm(request.POST)
    if form.is_valid():
        services.theme_update_draft(
            preset=form.cleaned_data["preset"],
            tokens=dict(PRESETS[form.cleaned_data["preset"]].tokens),
        )
        messages.success(
            request, _("The draft now uses the preset's colours and font. Preview, then publish.")
        )
    return redirect("themes:editor")


@require_POST
def revert(request, number: int):
    if not selectors.version_exists(number):
        raise Http404("No such version.")  # as for anything this portal does not have
    try:
        services.theme_revert(number=number, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(number)d is published again.") % {"number": number})
    return redirect("themes:editor")


def legal_page(request, page: str):
    theme = selectors.theme_for_request(request)
    content = theme.get(page) or ""
    if not content:
        raise Http404("This page has not been written yet.")
    return render(
        request, "themes/legal_page.html", {"title": LEGAL_PAGES[page], "content": content}
    )
