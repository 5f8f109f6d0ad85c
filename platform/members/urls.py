"""The members admin. Mounted with manage_path at /manage/members/: portal administrators only;
the actions are POST-only forms. The invitation link's public page is in urls_invitation."""

from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("export.csv", views.member_export, name="export"),
    path("policy/", views.membership_policy, name="policy"),
    path("statistics/", views.member_statistics, name="statistics"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/role/", views.member_role, name="role"),
    path("<int:pk>/block/", views.member_block, name="block"),
    path("<int:pk>/unblock/", views.member_unblock, name="unblock"),
    path("<int:pk>/approve/", views.member_approve, name="approve"),
    path("<int:pk>/decline/", views.member_decline, name="decline"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/new/", views.invitation_new, name="invitation_new"),
    path("invitations/upload/", views.invitation_upload, name="invitation_upload"),
    path("invitations/upload/confirm/", views.invitation_confirm, name="invitation_confirm"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
