"""A space's proposals, mounted at spaces/<slug>/proposals/ behind the `proposals` module."""

from django.urls import path

from proposals import views

app_name = "proposals"
urlpatterns = [
    path("", views.space_list, name="space_list"),
    path("new/", views.proposal_create, name="create"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/versions/", views.proposal_versions, name="versions"),
    path("<int:pk>/cosign/", views.proposal_cosign, name="cosign"),
    path("<int:pk>/unsign/", views.proposal_unsign, name="unsign"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/letter/", views.proposal_letter, name="letter"),
    path("<int:pk>/step/", views.proposal_step, name="step"),
    path("<int:pk>/answer/<int:step>/", views.proposal_answer, name="answer"),
]
