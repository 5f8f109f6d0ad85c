"""Pages of groups and projects (mounted at spaces/ behind the `spaces` module)."""

from django.urls import path

from spaces import views

app_name = "spaces"
urlpatterns = [
    path("", views.space_list, name="list"),
    # Before the space's own address: "new" is a reserved slug (spaces.services).
    path("new/", views.space_create, name="create"),
    path("<slug:slug>/", views.space_detail, name="detail"),
    path("<slug:slug>/edit/", views.space_edit, name="edit"),
    path("<slug:slug>/join/", views.space_join, name="join"),
    path("<slug:slug>/leave/", views.space_leave, name="leave"),
    path("<slug:slug>/invitation/accept/", views.invitation_accept, name="invitation_accept"),
    path("<slug:slug>/invitation/decline/", views.invitation_decline, name="invitation_decline"),
    path("<slug:slug>/archive/", views.space_archive, name="archive"),
    path("<slug:slug>/unarchive/", views.space_unarchive, name="unarchive"),
    path("<slug:slug>/members/", views.space_members, name="members"),
    path("<slug:slug>/members/invite/", views.space_invite, name="invite"),
    path("<slug:slug>/members/transfer/", views.admin_transfer, name="admin_transfer"),
    path("<slug:slug>/members/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
