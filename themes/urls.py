from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core.gates import manage_path
from themes import views

app_name = "themes"
urlpatterns = [
    path("theme/<slug:css_hash>.css", views.stylesheet, name="stylesheet"),
    manage_path(
        "manage/theme/",
        include(
            [
                path("", views.editor, name="editor"),
                path("draft.css", views.draft_stylesheet, name="draft_stylesheet"),
                path("preview/", views.preview, name="preview"),
                path("preset/", views.apply_preset, name="apply_preset"),
                path("versions/<int:number>/revert/", views.revert, name="revert"),
                path(
                    "accessibility/",
                    views.accessibility_statement_edit,
                    name="accessibility_edit",
                ),
            ]
        ),
        nav=_("Theme"),
    ),
    path("impressum/", views.legal_page, {"page": "impressum"}, name="impressum"),
    path("datenschutz/", views.legal_page, {"page": "privacy"}, name="privacy"),
    path("barrierefreiheit/", views.legal_page, {"page": "accessibility"}, name="accessibility"),
]
