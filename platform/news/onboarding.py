"""The first steps for a new portal's admins, shown on its start page until they are done:
the theme, the legal pages, the registration rules, the first members. Each step is read from
what the portal has, not ticked off by hand, so it cannot say "done" when it is not."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    label: str
    url: str
    done: bool


def onboarding_steps() -> list[Step]:
    """The steps, or [] once every one is done."""
    from accounts.models import MembershipPolicy, User
    from themes.models import ThemeVersion
    from themes.selectors import published_theme

    theme = published_theme()
    steps = [
        Step(
            _("Give the portal its look: colours, logo, texts"),
            reverse("themes:editor"),
            ThemeVersion.objects.count() > 1,  # provisioning publishes the first version
        ),
        Step(
            _("Write the Impressum and the privacy statement"),
            reverse("themes:editor"),
            bool(theme.get("impressum")) and bool(theme.get("privacy")),
        ),
        Step(
            _("Choose who may register"),
            reverse("members:policy"),
            MembershipPolicy.objects.exists(),
        ),
        Step(
            _("Invite the first members"),
            reverse("members:list"),
            User.objects.filter(is_active=True).count() > 1,
        ),
    ]
    return [] if all(step.done for step in steps) else steps
