"""Accepting an invitation: the link from the mail sets the first password."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.services import invitation_accept


class InvitationSetPasswordView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("account_login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        invitation_accept(user=form.user)  # the link came to this address: it is theirs
        return response
