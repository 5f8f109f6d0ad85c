"""A member's own account pages: accepting an invitation, the account overview, downloading
their data (GDPR Art. 15/20) and deleting the account (Art. 17). Log in, sign-up, password,
e-mail and two-factor pages are allauth's."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.forms import ProfileForm
from accounts.services import invitation_accept
from core.privacy import member_data_export, member_erase


def _user_exists(pk) -> bool:
    from accounts.selectors import account_exists

    return account_exists(pk)


class InvitationSetPasswordView(auth_views.PasswordResetConfirmView):
    """A link of another portal names no account here: 404. A link of this portal that is
    used or expired gets the page that says so."""

    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("account_login")
    post_reset_login = False

    def dispatch(self, *args, **kwargs):
        from django.http import Http404
        from django.utils.http import urlsafe_base64_decode

        try:
            pk = int(urlsafe_base64_decode(kwargs.get("uidb64", "")).decode())
        except (ValueError, TypeError, UnicodeDecodeError):
            pk = None
        if kwargs.get("token") != self.reset_url_token and not _user_exists(pk):
            raise Http404("No such invitation here.")
        return super().dispatch(*args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        invitation_accept(user=form.user)  # the link came to this address: it is theirs
        return response


@login_required
def account_overview(request):
    return render(request, "accounts/account.html", {"delete_form": DeleteAccountForm()})


@login_required
@require_POST
def data_download(request):
    archive = member_data_export(user=request.user)
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    return response


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password, to confirm"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    content = forms.ChoiceField(
        label=gettext_lazy("What you wrote"),
        choices=[
            ("keep", gettext_lazy("Keep it, shown as by a former member")),
            ("delete", gettext_lazy("Delete it with the account")),
        ],
        widget=forms.RadioSelect,
        initial="keep",
    )


@login_required
@require_POST
def account_delete(request):
    form = DeleteAccountForm(request.POST)
    if form.is_valid() and not request.user.check_password(form.cleaned_data["password"]):
        form.add_error("password", _("The password is not right."))
    if form.is_valid():
        try:
            member_erase(user=request.user, keep_content=form.cleaned_data["content"] == "keep")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            logout(request)
            messages.success(request, _("Your account is deleted."))
            return redirect("/")
    return render(request, "accounts/account.html", {"delete_form": form}, status=400)


@login_required
def profile_edit(request):
    from django.conf import settings

    from accounts import profiles

    topics = profiles.topics()
    profile = profiles.profile_of(request.user)
    initial = {
        "display_name": request.user.display_name,
        "bio": profile.bio,
        "place": profile.place,
        "topics": [str(pk) for pk in profile.topics.values_list("pk", flat=True)],
        "language": request.user.language,
        "listed": profile.listed,
        **{f"visibility_{f}": profile.visibility_of(f) for f in profile.FIELDS},
    }
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        topics=topics,
        languages=[
            (code, name)
            for code, name in settings.LANGUAGES
            if code in getattr(request, "offered_languages", ())
        ],
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                profiles.profile_update(
                    user=request.user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    place=form.cleaned_data["place"],
                    topic_ids=[int(pk) for pk in form.cleaned_data["topics"]],
                    visibility=form.visibility(),
                    language=form.cleaned_data["language"],
                    listed=form.cleaned_data["listed"],
                )
                upload = form.cleaned_data.get("avatar")
                if upload:
                    profiles.profile_avatar_set(
                        user=request.user, name=upload.name, data=upload.read()
                    )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            else:
                messages.success(request, _("Your profile is saved."))
                response = redirect("accounts:profile")
                if form.cleaned_data["language"]:
                    response.set_cookie(
                        settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"]
                    )
                return response
        else:
            status = 400
    return render(
        request, "accounts/profile_edit.html", {"form": form, "profile": profile}, status=status
    )


def profile_page(request, pk: int):
    """A member's profile as the viewer may see it; missing, blocked or deleted: 404."""
    from django.http import Http404

    from accounts import profiles

    member = profiles.active_member(pk)
    if member is None:
        raise Http404("No such member.")
    view = profiles.profile_visible_to(member=member, viewer=request.user)
    return render(request, "accounts/profile.html", {"view": view})


def topics_manage(request):
    """The portal's topic list (admins; mounted with manage_path)."""
    from accounts import profiles
    from accounts.forms import TopicsForm

    form = TopicsForm(
        request.POST or None,
        initial={"names": "\n".join(t.name for t in profiles.topics())},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            profiles.topics_update(
                names=form.cleaned_data["names"].splitlines(), actor=request.user
            )
        except ValidationError as exc:
            form.add_error("names", exc.messages)
            status = 400
        else:
            messages.success(request, _("The topics are saved."))
            return redirect("topics:manage")
    return render(request, "accounts/topics.html", {"form": form}, status=status)


def directory(request):
    """The member directory (module member_directory; members only)."""
    from django.contrib.auth.views import redirect_to_login

    from accounts import profiles
    from core.pagination import keyset_page

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    query = request.GET.get("q", "").strip()[:100]
    try:
        topic_id = int(request.GET.get("topic", "") or 0) or None
    except ValueError:
        topic_id = None
    # By cursor: the thousandth page of a large portal costs what the first does, and no
    # page counts every member.
    page = keyset_page(
        profiles.directory(viewer=request.user, query=query, topic_id=topic_id),
        order=("display_name", "email", "pk"),
        after=request.GET.get("after"),
        size=48,
    )
    return render(
        request,
        "accounts/directory.html",
        {"page": page, "query": query, "topic_id": topic_id, "topics": profiles.topics()},
    )


def password_reset_from_key(request, uidb36: str, key: str):
    """allauth's reset link, but a link of another portal (no such account here) is a 404."""
    from allauth.account.views import password_reset_from_key as allauth_view
    from django.http import Http404
    from django.utils.http import base36_to_int

    if key != "set-password":  # allauth's own second step, after it stored the key
        try:
            pk = base36_to_int(uidb36)
        except ValueError:
            pk = None
        if not _user_exists(pk):
            raise Http404("No such reset link here.")
    return allauth_view(request, uidb36=uidb36, key=key)


def confirm_email(request, key: str):
    """allauth's confirmation page, but a key this portal does not know (unknown, expired, or
    another portal's: keys are rows of the portal's schema) is a 404 like any missing object,
    not allauth's 200 "invalid link" page. The page's text stays allauth's."""
    from allauth.account.views import confirm_email as allauth_view

    response = allauth_view(request, key=key)
    if (
        request.method == "GET"
        and getattr(response, "context_data", {}).get("confirmation") is None
    ):
        response.status_code = 404
    return response
