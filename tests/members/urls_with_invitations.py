"""The portal URLconf with the invitation link's page mounted where allmende.urls_portal is to
mount it, so the invitation tests hold before and after it does."""

from django.urls import include, path

urlpatterns = [
    path("", include("allmende.urls_portal")),
    path("invitation/", include("members.urls_invitation")),
]
