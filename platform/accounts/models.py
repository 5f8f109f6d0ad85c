"""The user account. In the public schema: platform staff. In a portal schema: its members."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    ADMIN = "admin", _("Administrator")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    PENDING = "pending", _("awaiting approval")
    BLOCKED = "blocked", _("blocked")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        user = self.create_user(email, password, **fields)
        # Made at the command line by someone who runs the platform: the address is theirs,
        # and allauth lets nobody log in with an unverified one.
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"primary": True, "verified": True}
        )
        return user

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # Only accounts with status "active" may log in; `is_active` mirrors it for Django's auth.
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, db_index=True)
    # Only meaningful in the public schema: platform staff may use the operator console.
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # The name for the search app's member search. 'simple' keeps names as written: stemming
    # "Müller" or "Hansen" as German or English words would match unrelated names.
    search = models.GeneratedField(
        expression=SearchVector("display_name", config="simple", weight="A"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]
        # The members list pages in this order (14 ms -> 1 ms for a page at 50,000 members).
        indexes = [
            models.Index(fields=["display_name", "email", "id"], name="user_list_order"),
            GinIndex(fields=["search"], name="user_search"),
        ]

    def __str__(self) -> str:
        # An erased account (core.privacy.member_erase) keeps only a placeholder address.
        if self.email.endswith("@invalid"):
            return str(_("Former member"))
        return self.display_name or self.email

    # An account exists in one schema (public: staff; a portal's: its members). Remembering
    # which lets the audit log refuse to record a member of one schema as acting in another.
    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.loaded_schema = connection.schema_name
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.loaded_schema = connection.schema_name

    def natural_key(self):
        return (self.email,)

    @property
    def is_portal_admin(self) -> bool:
        return self.is_active and self.role == Role.ADMIN


class RegistrationPolicy(models.TextChoices):
    OPEN = "open", _("open: anyone may register")
    APPROVAL = "approval", _("open, an administrator approves each new member")
    INVITATION = "invitation", _("by invitation only")
    DOMAINS = "domains", _("only addresses of certain e-mail domains")


class MembershipPolicy(models.Model):
    """How people become members of this portal, and what visitors may see. One row per portal
    schema (accounts.selectors.membership_policy creates it on first use)."""

    registration = models.CharField(
        _("registration"),
        max_length=12,
        choices=RegistrationPolicy.choices,
        default=RegistrationPolicy.OPEN,
    )
    allowed_domains = ArrayField(
        models.CharField(max_length=253),
        default=list,
        blank=True,
        verbose_name=_("allowed e-mail domains"),
    )
    members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_("Visitors see only the start page and the legal pages."),
    )
    admin_mfa_required = models.BooleanField(
        _("administrators must use two-factor login"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership policy")

    def __str__(self) -> str:
        return self.get_registration_display()


class Visibility(models.TextChoices):
    PUBLIC = "public", _("everyone, also visitors")
    MEMBERS = "members", _("members of this portal")
    PRIVATE = "private", _("only me")


class Topic(models.Model):
    """A topic members can say they care about; the portal's admins keep the list."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("topic")

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What a member tells others about themselves, each part with who may see it."""

    FIELDS = ("avatar", "bio", "place", "topics")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    # A name in the portal's media storage; written only after sanitising (core.media).
    avatar = models.CharField(max_length=200, blank=True)
    bio = models.TextField(_("about me"), max_length=500, blank=True)
    place = models.CharField(_("district or place"), max_length=120, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="profiles")
    # field -> Visibility; a field not listed is visible to members.
    visibility = models.JSONField(default=dict, blank=True)
    listed = models.BooleanField(_("show me in the member directory"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return str(self.user)

    def visibility_of(self, field: str) -> str:
        return self.visibility.get(field, Visibility.MEMBERS)
