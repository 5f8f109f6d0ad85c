"""Theme pages: the compiled stylesheet, the editor with preview, the legal pages, and the
accessibility statement (generated, or the admin's own version; themes.accessibility)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from features.gate import is_enabled
from themes import selectors, services
from themes.forms import AccessibilityStatementForm, PresetForm, ThemeForm
from themes.presets import PRESETS

UPLOADS = {
    "logo": services.theme_upload_logo,
    "favicon": services.theme_upload_favicon,
    "header_image": services.theme_upload_header_image,
}
# Lazy: these are built at import, and each request shows them in its own language.
LEGAL_PAGES = {
    "impressum": gettext_lazy("Impressum"),
    "privacy": gettext_lazy("Privacy statement"),
    "accessibility": gettext_lazy("Accessibility statement"),
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
    if page == "accessibility":
        from themes.accessibility import statement_for_request

        # Every portal has one: the generated statement unless the admin wrote their own.
        content, _generated = statement_for_request(request, theme)
    if not content:
        raise Http404("This page has not been written yet.")
    return render(
        request, "themes/legal_page.html", {"title": LEGAL_PAGES[page], "content": content}
    )


def accessibility_statement_edit(request):
    """The admin starts from the generated statement; saving publishes their version at once
    (and nothing else of the draft); resetting shows the generated one again."""
    from themes import accessibility

    theme = selectors.published_theme()
    own = (theme.get("accessibility") or "").strip()
    generated = accessibility.generated_for_request(request, theme)
    status = 200
    if request.method == "POST" and "reset" in request.POST:
        services.theme_accessibility_statement_reset(actor=request.user)
        messages.success(request, _("Visitors now see the generated statement again."))
        return redirect("themes:accessibility_edit")
    if request.method == "POST":
        form = AccessibilityStatementForm(request.POST)
        if form.is_valid():
            try:
                services.theme_accessibility_statement_set(
                    html=form.cleaned_data["statement"], actor=request.user
                )
            except ValidationError as exc:
                form.add_error("statement", exc.message_dict.get("statement", exc.messages))
            else:
                messages.success(request, _("Published. Visitors now see your statement."))
                return redirect("themes:accessibility_edit")
        status = 400
    else:
        form = AccessibilityStatementForm(initial={"statement": own or generated})
    return render(
        request,
        "themes/accessibility_edit.html",
        {
            "form": form,
            "own": bool(own),
            "generated": generated,
            "check": accessibility.latest_check(),
        },
        status=status,
    )
