"""The local demo: an operator account and three portals with members, news, and spaces with
discussions, a document and a report (tenants.demo_spaces).

`seed_demo()` is idempotent: portals that exist are kept, missing members and a first set of
posts are added. It refuses to run in production, because demo passwords are public.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from features.catalogue import COMMUNITY, PROFESSIONAL
from tenants.models import Portal

DEMO_PASSWORD = "allmende-demo"  # noqa: S105 (public on purpose: local demo only)
OPERATOR_EMAIL = "operator@allmende.example"


@dataclass(frozen=True)
class DemoPortal:
    subdomain: str
    name: str
    tagline: str
    plan: str
    preset: str
    intro: str
    members: tuple[tuple[str, str, str], ...]  # (email, display name, role)
    posts: tuple[str, ...]
    topics: tuple[str, ...] = ("Klima und Energie", "Mobilität", "Nachbarschaft", "Kultur")
    registration: str = "open"  # accounts.models.RegistrationPolicy
    members_only: bool = False


DEMO_PORTALS = (
    DemoPortal(
        subdomain="klimanetz",
        name="Klimanetz Förde",
        tagline="Klimaschutz-Initiativen der Region – auf einen Blick",
        plan=COMMUNITY,
        preset="climate",
        intro="Initiativen, Vereine und Klimaschutzmanager*innen der Region zeigen hier ihre "
        "Projekte, teilen Termine und finden Mitstreiter*innen.",
        members=(
            ("admin@klimanetz.example", "Jana Petersen", "admin"),
            ("repair-cafe@klimanetz.example", "Repair-Café Gaarden", "member"),
            ("solar@klimanetz.example", "Solarinitiative Probstei", "member"),
        ),
        posts=(
            "Das Repair-Café Gaarden sucht Helfende für den nächsten Reparaturtag.",
            "Neue Solar-Sammelbestellung für Balkonkraftwerke: Infoabend am Donnerstag.",
        ),
    ),
    DemoPortal(
        subdomain="lindenau",
        name="Bürgernetz Lindenau",
        tagline="Ideen, Projekte und Anträge für unseren Stadtteil",
        plan=PROFESSIONAL,
        preset="city",
        intro="Bürger*innen, Initiativen, Parteien und das Stadtteilbüro bringen hier Ideen ein, "
        "unterstützen sich gegenseitig und reichen Anträge beim Stadtbezirksbeirat ein.",
        members=(
            ("admin@lindenau.example", "Sami Okafor", "admin"),
            ("verwaltung@lindenau.example", "Stadtteilbüro Lindenau", "moderator"),
            ("gruene-ecke@lindenau.example", "Initiative Grüne Ecke", "member"),
            ("anwohnerin@lindenau.example", "Marta Lehmann", "member"),
        ),
        posts=(
            "Der Stadtbezirksbeirat tagt am 3. Dezember – Anträge bitte bis Ende November einreichen.",
            "Die Initiative Grüne Ecke pflanzt am Samstag Obstbäume am Lindenauer Markt.",
            "Umfrage: Wo fehlen im Stadtteil Fahrradbügel?",
        ),
    ),
    DemoPortal(
        subdomain="nachbarschaft",
        name="Offene Nachbarschaft e.V. – Intranet",
        tagline="Internes Netzwerk unserer Haupt- und Ehrenamtlichen",
        plan=PROFESSIONAL,
        preset="neutral",
        intro="Das interne Netzwerk des Vereins: Absprachen, Dokumente und Termine für Haupt- "
        "und Ehrenamtliche.",
        members=(
            ("admin@nachbarschaft.example", "Lea Brandt", "admin"),
            ("koordination@nachbarschaft.example", "Koordinationsteam", "moderator"),
            ("ehrenamt@nachbarschaft.example", "Tom Weber", "member"),
        ),
        posts=("Protokoll der Vorstandssitzung ist im Dokumentenordner.",),
        registration="invitation",
        members_only=True,
    ),
)


def _demo_image() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (480, 240), (46, 125, 50)).save(buffer, format="PNG")
    return SimpleUploadedFile("demo.png", buffer.getvalue(), content_type="image/png")


def _seed_theme(demo: DemoPortal) -> None:
    from themes.models import ThemeVersion
    from themes.services import theme_publish, theme_set, theme_update_draft

    published = ThemeVersion.objects.order_by("-number").first()
    if (
        published
        and published.data.get("tagline") == demo.tagline
        and published.data.get("impressum")
    ):
        return
    theme_set(
        site_name=demo.name, preset=demo.preset, tagline=demo.tagline, actor_label="seed_demo"
    )
    theme_update_draft(
        intro=f"<p>{demo.intro}</p>",
        cta_label="Mitmachen",
        cta_url="/accounts/login/",
        footer_text=f"{demo.name} · {demo.tagline}",
        impressum=f"<p>{demo.name}<br>Musterstraße 1<br>24103 Musterstadt</p><p>Kontakt: "
        f'<a href="mailto:{demo.members[0][0]}">{demo.members[0][0]}</a></p>',
        privacy="<p>Wir speichern nur, was für das Portal nötig ist. Deine Daten gehen an niemanden "
        "weiter; du kannst sie jederzeit exportieren oder löschen lassen.</p>",
        accessibility="<p>Dieses Portal soll die Anforderungen der BITV 2.0 erfüllen. Hinweise auf "
        "Barrieren nehmen wir gern entgegen.</p>",
    )
    theme_publish(actor_label="seed_demo")


# The console requires two-factor login. The demo operator gets an authenticator whose secret
# is printed (add it to an authenticator app) and recovery codes; both are as public as the
# demo password, which is why the seed refuses production.
DEMO_TOTP_SECRET = "ALLMENDEDEMOSECRETKEYFORTOTPABCD"  # noqa: S105 (public demo data)


def _demo_two_factor(operator) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=operator, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(operator, DEMO_TOTP_SECRET)
    if not Authenticator.objects.filter(
        user=operator, type=Authenticator.Type.RECOVERY_CODES
    ).exists():
        RecoveryCodes.activate(operator)


def demo_recovery_codes() -> list[str]:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from accounts.models import User

    operator = User.objects.filter(email__iexact=OPERATOR_EMAIL).first()
    row = Authenticator.objects.filter(
        user=operator, type=Authenticator.Type.RECOVERY_CODES
    ).first()
    return RecoveryCodes(row).get_unused_codes()[:3] if row else []


def seed_demo() -> list[Portal]:
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "The demo seed never runs in production: its passwords are public."
        )
    from accounts.models import MembershipPolicy, User
    from accounts.services import invitation_accept, user_create
    from news.models import Post
    from news.services import post_create
    from tenants.services import portal_provision

    operator = User.objects.filter(email__iexact=OPERATOR_EMAIL).first()
    if operator is None:
        operator = User.objects.create_superuser(
            OPERATOR_EMAIL, DEMO_PASSWORD, display_name="Operator"
        )
    invitation_accept(user=operator)  # an older demo's operator may lack a verified address
    from tenants.models import PlatformPage

    PlatformPage.objects.get_or_create(
        kind="impressum",
        defaults={"body": "<p>Allmende-Demo<br>Musterstraße 1<br>24103 Kiel</p>"},
    )
    PlatformPage.objects.get_or_create(
        kind="privacy",
        defaults={"body": "<p>Die Demo speichert nur, was sie zum Zeigen braucht.</p>"},
    )
    PlatformPage.objects.get_or_create(
        kind="terms",
        defaults={"body": "<p>Die Demo ist kostenlos und wird jede Nacht zurückgesetzt.</p>"},
    )
    PlatformPage.objects.get_or_create(
        kind="dpa",
        defaults={"body": "<p>Die Demo verarbeitet Daten nur, um sie zu zeigen.</p>"},
    )
    _demo_two_factor(operator)

    portals = []
    for demo in DEMO_PORTALS:
        portal = Portal.objects.filter(slug=demo.subdomain).first()
        if portal is None:
            admin_email, admin_name, _role = demo.members[0]
            portal = portal_provision(
                name=demo.name,
                subdomain=demo.subdomain,
                admin_email=admin_email,
                admin_name=admin_name,
                plan=demo.plan,
                theme_preset=demo.preset,
                actor_label="seed_demo",
            ).portal
        with tenant_context(portal):
            _seed_theme(demo)
            MembershipPolicy.objects.update_or_create(
                pk=1,
                defaults={"registration": demo.registration, "members_only": demo.members_only},
            )
            for email, display_name, role in demo.members:
                user = User.objects.filter(email__iexact=email).first()
                if user is None:
                    user = user_create(
                        email=email,
                        display_name=display_name,
                        role=role,
                        actor_label="seed_demo",
                        email_verified=True,
                    )
                if not user.has_usable_password():
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                invitation_accept(user=user)  # the demo knows its addresses
                _seed_profile(demo, user)
            _seed_invitation(demo)
            if not Post.objects.exists():
                authors = list(User.objects.order_by("pk"))
                for index, body in enumerate(demo.posts):
                    post_create(
                        author=authors[(index + 1) % len(authors)],
                        body=body,
                        image=_demo_image() if index == 0 else None,
                    )
            from tenants.demo_spaces import seed_spaces

            seed_spaces(demo.subdomain)
            from tenants.demo_ideas import seed_ideas

            seed_ideas(demo.subdomain)
            from tenants.demo_proposals import seed_proposals

            seed_proposals(demo.subdomain)
            from tenants.demo_events import seed_events

            seed_events(demo.subdomain)
        portals.append(portal)
    return portals


def _seed_invitation(demo: DemoPortal) -> None:
    """One invitation waiting to be accepted, to see in the members admin."""
    from accounts.models import User
    from members.models import Invitation
    from members.services import invitation_create

    if Invitation.objects.exists():
        return
    admin = User.objects.get(email__iexact=demo.members[0][0])
    invitation_create(
        email=f"eingeladen@{demo.subdomain}.example", display_name="Noch nicht dabei", actor=admin
    )


def _seed_profile(demo: DemoPortal, user) -> None:
    from accounts.models import Profile, Topic

    topics = [Topic.objects.get_or_create(name=name)[0] for name in demo.topics]
    profile, created = Profile.objects.get_or_create(
        user=user,
        defaults={
            "bio": f"Dabei bei {demo.name}.",
            "place": demo.name.split()[-1],
            "listed": True,
            "visibility": {"bio": "public"},
        },
    )
    if created:
        profile.topics.set(topics[user.pk % len(topics) :][:2] or topics[:1])


def demo_logins() -> list[str]:
    from tenants.selectors import platform_url, portal_base_url

    lines = [
        f"Platform site:     {platform_url()}",
        f"Order a portal:    {platform_url()}order/  (test card 4242 4242 4242 4242)",
        f"Operator console:  {platform_url()}operator/  ({OPERATOR_EMAIL} / {DEMO_PASSWORD})",
        f"                   two-factor: authenticator secret {DEMO_TOTP_SECRET}, "
        f"or a recovery code: {', '.join(demo_recovery_codes())}",
    ]
    for demo in DEMO_PORTALS:
        portal = Portal.objects.filter(slug=demo.subdomain).first()
        if portal is None:
            continue
        lines.append("")
        rules = []
        if demo.registration != "open":
            rules.append(f"registration: {demo.registration}")
        if demo.members_only:
            rules.append("members only")
        note = f"  ({', '.join(rules)})" if rules else ""
        lines.append(f"{demo.name} [{portal.plan.name}]: {portal_base_url(portal)}{note}")
        for email, _name, role in demo.members:
            lines.append(f"    {role:<10} {email} / {DEMO_PASSWORD}")
    return lines
