"""The invitation link's public page, for people who have no account yet. Deliberately not
under /manage/ (and not behind the admin gate); mounted in allmende.urls_portal as
`path("invitation/", include("members.urls_invitation"))`. Every lookup is in the current
portal's schema, so a link of another portal is a 404 here."""

from django.urls import path

from members import views

app_name = "invitations"
urlpatterns = [
    path("<str:token>/", views.invitation_accept, name="accept"),
    path("<str:token>/renew/", views.invitation_renew, name="renew"),
]
