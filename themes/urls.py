from django.urls import path

from themes import views

app_name = "themes"
urlpatterns = [
    path("theme/<slug:css_hash>.css", views.stylesheet, name="stylesheet"),
    path("manage/theme/", views.editor, name="editor"),
    path("manage/theme/draft.css", views.draft_stylesheet, name="draft_stylesheet"),
    path("manage/theme/preview/", views.preview, name="preview"),
    path("manage/theme/preset/", views.apply_preset, name="apply_preset"),
    path("manage/theme/versions/<int:number>/revert/", views.revert, name="revert"),
    path("impressum/", views.legal_page, {"page": "impressum"}, name="impressum"),
    path("datenschutz/", views.legal_page, {"page": "privacy"}, name="privacy"),
    path("barrierefreiheit/", views.legal_page, {"page": "accessibility"}, name="accessibility"),
]
