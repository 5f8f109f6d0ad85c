"""Fill one portal with a busy city network's content, fast: `fill_portal(portal, ideas=…,
members=…, comments=…, events=…)`, for the `pages` benchmark and, at tiny sizes, for tests.

What it writes, in the portal's schema and in a handful of batched INSERTs a table:
- `members` active members (accounts.User with a verified allauth address and a profile, a
  third listed in the directory with topics; one in 500 a moderator). Nobody logs in with a
  password: every account gets one unusable hash, so 5,000 accounts cost no Argon2 at all;
  clients log in with `force_login`;
- spaces: the *Nachbarschaftsgarten* (`FillResult.space_slug`, public, open, a tenth of the
  members, some events and ideas posted for it) and one more space per 50 members, public,
  members-only or private, groups and projects, each with a few members;
- `ideas` ideas over the last two years in every status (one in 200 hidden by moderation),
  with topics, districts, about three supports each and the status timeline;
- one news post per 20 ideas (the start page shows the latest 20 with their comments);
- `comments` comments: 80 % on ideas, 10 % on news posts, 10 % on events, one in five a reply,
  one in a hundred deleted;
- `events` events from the first day of the current month over the next 12 months (so the month
  view always has a twelfth of them), one in ten organised by a space, one in a hundred a
  repeating series (weekly with an end, or monthly without), some all-day, some cancelled,
  with answers (RSVPs);
- the modules the pages need (spaces, ideas, events) switched on, and an open membership policy
  that is not members-only, so visitors see the pages too.

The sizes are exact for ideas, members, comments and events; everything else follows from them.
Works inside a test's transaction (nothing here commits). Fails loudly: a portal filled
before is a ValueError (the addresses would clash); a model invariant the data breaks is the
database's IntegrityError, never a silently different data set.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone
from django_tenants.utils import tenant_context

BATCH = 2000
# One hash for every account: "!" marks it unusable (Django's convention), so no login by
# password is possible and none has to be computed.
UNUSABLE_PASSWORD = "!bench-pages"  # noqa: S105
EMAIL_PREFIX = "pages-member-"
SPACE_SLUG = "nachbarschaftsgarten"
EVENT_MONTHS = 12
MODULES = ("spaces", "ideas", "events")

TOPICS = (
    "Verkehr",
    "Grün und Umwelt",
    "Kinder und Jugend",
    "Kultur",
    "Wohnen",
    "Nachbarschaft",
    "Sport",
    "Bildung",
)
DISTRICTS = (
    ("Lindenau", Decimal("51.3390"), Decimal("12.3300")),
    ("Plagwitz", Decimal("51.3280"), Decimal("12.3300")),
    ("Connewitz", Decimal("51.3080"), Decimal("12.3800")),
    ("Gohlis", Decimal("51.3600"), Decimal("12.3700")),
    ("Reudnitz", Decimal("51.3350"), Decimal("12.4050")),
    ("Schleußig", Decimal("51.3230"), Decimal("12.3450")),
    ("Eutritzsch", Decimal("51.3650"), Decimal("12.3850")),
    ("Grünau", Decimal("51.3200"), Decimal("12.2850")),
    ("Mockau", Decimal("51.3750"), Decimal("12.4100")),
    ("Stötteritz", Decimal("51.3200"), Decimal("12.4200")),
)
CATEGORIES = (
    ("Workshop", "workshop"),
    ("Treffen", "treffen"),
    ("Fest", "fest"),
    ("Führung", "fuehrung"),
    ("Sprechstunde", "sprechstunde"),
)
FIRST_NAMES = (
    "Anna", "Ben", "Clara", "Deniz", "Elif", "Finn", "Greta", "Hannes", "Ida", "Jonas",
    "Kemal", "Lea", "Mats", "Nora", "Olga", "Paul", "Rania", "Sven", "Tamara", "Yusuf",
)  # fmt: skip
LAST_NAMES = (
    "Albrecht", "Becker", "Çelik", "Dietrich", "Engel", "Fischer", "Günther", "Hoffmann",
    "Ivanova", "Jung", "Krüger", "Lange", "Meyer", "Nowak", "Özdemir", "Peters", "Richter",
    "Schulz", "Thiel", "Wagner", "Yilmaz", "Zimmermann",
)  # fmt: skip
IDEA_SUBJECTS = (
    "Bänke am Ufer", "Tempo 30 vor der Schule", "Ein Gemeinschaftsgarten", "Mehr Fahrradbügel",
    "Trinkbrunnen im Park", "Ein Repair-Café", "Bücherschrank an der Haltestelle",
    "Blühstreifen statt Rasen", "Spielstraße am Sonntag", "Beleuchteter Fußweg",
    "Nachbarschaftsfest im Hof", "Lastenrad zum Ausleihen", "Schattenbäume am Markt",
    "Offene Turnhalle am Abend", "Mülleimer mit Deckel", "Sitzecke für Ältere",
)  # fmt: skip
EVENT_SUBJECTS = (
    "Pflanztag", "Stadtteilrunde", "Repair-Café", "Hoffest", "Lesekreis", "Kiezspaziergang",
    "Bürgersprechstunde", "Kinderflohmarkt", "Fahrradwerkstatt", "Gartenstammtisch",
)  # fmt: skip
DESCRIPTION = (
    "Wir möchten {subject} in **{district}**. Das hilft allen, die hier wohnen, und kostet "
    "wenig. Wer macht mit?\n\n- Ort: in der Nähe der Haltestelle\n- Zeitplan: ab dem Frühjahr"
)
COMMENT_BODIES = (
    "Gute Idee, ich helfe gern mit!",
    "Haben wir das nicht schon im letzten Jahr besprochen? Ich finde es trotzdem richtig.",
    "Ich wohne gleich um die Ecke und würde mich **sehr** freuen.",
    "Wer kümmert sich um die Pflege, wenn es fertig ist?",
    "Die Stadt hat dafür ein Förderprogramm: https://example.org/foerderung",
    "Am Samstag bin ich dabei. Bringe Werkzeug mit.",
)
REPLY_BODIES = ("Danke, gute Frage!", "Genau so sehe ich das auch.", "Ich frage mal nach.")


@dataclass(frozen=True)
class FillResult:
    """What a benchmark or a test needs to find its way around the filled portal."""

    member_ids: list[int]
    # An ordinary member (role "member") who belongs to the big space: the one to log in as.
    member_id: int
    space_slug: str
    idea_titles: list[str]
    event_titles: list[str]
    seconds: float


def _batches(objects: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(objects), size):
        yield objects[start : start + size]


def _insert(model: type[models.Model], objects: list) -> list:
    """bulk_create in batches; PostgreSQL returns the new primary keys."""
    created = []
    for batch in _batches(objects):
        created += model.objects.bulk_create(batch)
    return created


@contextlib.contextmanager
def _explicit_timestamps(*models_: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the created_at/updated_at values given: auto_now(_add) would stamp
    every row with this second, and an ideas list sorted by age or a trending score computed
    from the supports' ages would then measure a portal nobody has."""
    changed = []
    for model in models_:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                changed.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in changed:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _switch_modules_on(portal) -> None:
    from features.services import feature_switch

    for key in MODULES:
        feature_switch(portal=portal, feature=key, enabled=True, actor_label="bench")


def _open_policy() -> None:
    from accounts.models import MembershipPolicy, RegistrationPolicy

    policy = MembershipPolicy.objects.first() or MembershipPolicy()
    policy.registration = RegistrationPolicy.OPEN
    policy.members_only = False
    policy.save()


def _members(slug: str, count: int, now: datetime.datetime, topics: list) -> list:
    from allauth.account.models import EmailAddress

    from accounts.models import MemberStatus, Profile, Role, User, Visibility

    users = [
        User(
            email=f"{EMAIL_PREFIX}{i}@{slug}.example",
            display_name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} "
            f"{LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]}",
            password=UNUSABLE_PASSWORD,
            role=Role.MODERATOR if i % 500 == 499 else Role.MEMBER,
            status=MemberStatus.ACTIVE,
            is_active=True,
            language="de",
            date_joined=now - datetime.timedelta(days=(i * 7) % 900, minutes=i),
            last_seen_at=now - datetime.timedelta(hours=(i * 13) % 2000),
        )
        for i in range(count)
    ]
    users = _insert(User, users)
    _insert(
        EmailAddress,
        [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users],
    )
    profiles = _insert(
        Profile,
        [
            Profile(
                user=u,
                place=DISTRICTS[i % len(DISTRICTS)][0],
                bio="Ich engagiere mich in meinem Viertel." if i % 2 else "",
                listed=i % 3 == 0,
                visibility={"place": Visibility.PUBLIC} if i % 4 == 0 else {},
            )
            for i, u in enumerate(users)
        ],
    )
    through = Profile.topics.through
    _insert(
        through,
        [
            through(profile_id=p.pk, topic_id=topics[(i + k) % len(topics)].pk)
            for i, p in enumerate(profiles)
            if i % 3 == 0
            for k in range(2)
        ],
    )
    return users


def _spaces(users: list, now: datetime.datetime, topics: list) -> list:
    """The big space first, then one per 50 members; memberships written here too."""
    from spaces.models import (
        JoinPolicy,
        ProjectStatus,
        Space,
        SpaceKind,
        SpaceMembership,
        SpaceRole,
        SpaceVisibility,
    )

    count = 1 + len(users) // 50
    visibilities = (SpaceVisibility.PUBLIC, SpaceVisibility.PUBLIC, SpaceVisibility.MEMBERS)
    spaces = [
        Space(
            kind=SpaceKind.GROUP,
            name="Nachbarschaftsgarten",
            slug=SPACE_SLUG,
            description=(
                "Wir gärtnern gemeinsam auf der Brache an der Hauptstraße.\n\n"
                "**Treffen:** jeden Samstag ab 10 Uhr. Alle sind willkommen!"
            ),
            place=DISTRICTS[0][0],
            latitude=DISTRICTS[0][1],
            longitude=DISTRICTS[0][2],
            visibility=SpaceVisibility.PUBLIC,
            join_policy=JoinPolicy.OPEN,
            created_by=users[0],
        )
    ]
    for n in range(1, count):
        project = n % 4 == 0
        spaces.append(
            Space(
                kind=SpaceKind.PROJECT if project else SpaceKind.GROUP,
                name=f"{'Projekt' if project else 'Initiative'} {IDEA_SUBJECTS[n % 16]} {n}",
                slug=f"space-{n}",
                description="Eine Gruppe aus dem Viertel.",
                place=DISTRICTS[n % len(DISTRICTS)][0],
                visibility=SpaceVisibility.PRIVATE if n % 10 == 9 else visibilities[n % 3],
                join_policy=(JoinPolicy.OPEN, JoinPolicy.REQUEST)[n % 2],
                goal="Bis zum Sommer fertig werden." if project else "",
                status=ProjectStatus.ACTIVE if project else "",
                starts_on=now.date() if project else None,
                created_by=users[n % len(users)],
                archived_at=now if n % 25 == 24 else None,
            )
        )
    spaces = _insert(Space, spaces)
    through = Space.topics.through
    _insert(
        through,
        [
            through(space_id=s.pk, topic_id=topics[(i + k) % len(topics)].pk)
            for i, s in enumerate(spaces)
            for k in range(2)
        ],
    )
    members_of: dict[int, set[int]] = {s.pk: set() for s in spaces}
    memberships = []

    def join(space, index: int, *, role=SpaceRole.MEMBER) -> None:
        user = users[index % len(users)]
        if user.pk in members_of[space.pk]:
            return
        members_of[space.pk].add(user.pk)
        memberships.append(
            SpaceMembership(
                space=space, user=user, role=role, joined_at=now - datetime.timedelta(days=index)
            )
        )

    big = spaces[0]
    join(big, 0, role=SpaceRole.ADMIN)
    for index in range(1, max(2, len(users) // 10)):
        join(big, index)
    for n, space in enumerate(spaces[1:], start=1):
        join(space, n, role=SpaceRole.ADMIN)
        for k in range(5 + n % 20):
            join(space, n * 31 + k * 7)
    _insert(SpaceMembership, memberships)
    return spaces


def _ideas(count: int, users: list, spaces: list, topics: list, now) -> list:
    from ideas import trend
    from ideas.models import Idea, IdeaStatus, StatusChange, Support

    # In every status, as a marketplace of two years has them; most still open.
    statuses = (
        [IdeaStatus.NEW] * 8
        + [IdeaStatus.DISCUSSION] * 6
        + [IdeaStatus.IMPLEMENTATION] * 2
        + [IdeaStatus.REALISED] * 2
        + [IdeaStatus.ARCHIVED] * 2
    )
    ideas = []
    for i in range(count):
        district, lat, lon = DISTRICTS[(i * 3) % len(DISTRICTS)]
        subject = IDEA_SUBJECTS[i % len(IDEA_SUBJECTS)]
        # Newer ideas are denser: the i-th idea is about i²-proportionally older.
        age = datetime.timedelta(minutes=int(1_051_200 * (i / max(count, 1)) ** 2) + i)
        created = now - age
        ideas.append(
            Idea(
                title=f"{subject} in {district} ({i + 1})",
                description=DESCRIPTION.format(subject=subject, district=district),
                topic=topics[i % len(topics)] if i % 5 else None,
                place=district if i % 10 < 7 else "",
                latitude=lat if i % 10 < 3 else None,
                longitude=lon if i % 10 < 3 else None,
                author=users[(i * 17) % len(users)],
                # One in ten speaks for a space, the big one among them.
                on_behalf_of=spaces[i % len(spaces)] if i % 10 == 3 else None,
                status=statuses[(i * 7) % len(statuses)],
                created_at=created,
                updated_at=created,
                hidden_at=created if i % 200 == 199 else None,
            )
        )
    with _explicit_timestamps(Idea, StatusChange, Support):
        ideas = _insert(Idea, ideas)
        supports = []
        for i, idea in enumerate(ideas):
            seen: set[int] = set()
            for k in range((i * 5) % 7):  # 0–6 supports, three on average
                user = users[(i * 13 + k * 37) % len(users)]
                if user.pk in seen:
                    continue
                seen.add(user.pk)
                supports.append(
                    Support(
                        idea=idea,
                        user=user,
                        created_at=min(now, idea.created_at + datetime.timedelta(hours=3 + k * 29)),
                    )
                )
        _insert(Support, supports)
        trend.refresh_all()  # a bulk insert sends no signal
        order = list(IdeaStatus.values)
        changes = []
        for idea in ideas:
            if idea.status == IdeaStatus.NEW:
                continue
            previous = (
                IdeaStatus.NEW
                if idea.status == IdeaStatus.ARCHIVED
                else order[order.index(idea.status) - 1]
            )
            changes.append(
                StatusChange(
                    idea=idea,
                    from_status=previous,
                    to_status=idea.status,
                    reason="Im Stadtteilrat besprochen.",
                    by=users[-1],
                    created_at=min(now, idea.created_at + datetime.timedelta(days=5)),
                )
            )
        _insert(StatusChange, changes)
    return ideas


def _posts(count: int, users: list, now) -> list:
    from news.models import Post

    posts = [
        Post(
            author=users[(i * 11) % len(users)],
            body=f"Neuigkeiten aus dem Viertel, Folge {i + 1}: Der {EVENT_SUBJECTS[i % 10]} "
            "war ein Erfolg. Danke an alle, die geholfen haben!",
            created_at=now - datetime.timedelta(hours=i * 19 + 1),
        )
        for i in range(count)
    ]
    with _explicit_timestamps(Post):
        return _insert(Post, posts)


def _events(count: int, users: list, spaces: list, topics: list, now) -> list:
    from events import recurrence
    from events.models import Event, EventCategory, EventStatus, Rsvp, RsvpStatus, TargetGroup

    categories = [
        EventCategory.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for name, slug in CATEGORIES
    ]
    tz = timezone.get_current_timezone()
    local = now.astimezone(tz)
    first = datetime.datetime(local.year, local.month, 1, tzinfo=tz)
    span_days = EVENT_MONTHS * 365 // 12
    groups = list(TargetGroup.values)
    events = []
    for i in range(count):
        district, lat, lon = DISTRICTS[(i * 7) % len(DISTRICTS)]
        # Spread evenly over the months: the i-th event on day (i * span / count).
        day = first + datetime.timedelta(days=(i * span_days) // max(count, 1))
        all_day = i % 20 == 7
        if all_day:
            starts = datetime.datetime(day.year, day.month, day.day, tzinfo=tz)
            ends = starts + datetime.timedelta(days=1 + i % 2)
        else:
            starts = datetime.datetime(day.year, day.month, day.day, 9 + i % 11, 30, tzinfo=tz)
            ends = starts + datetime.timedelta(hours=1 + i % 3)
        rule = ""
        if i % 100 == 42:
            rule = "FREQ=WEEKLY;COUNT=12"
        elif i % 100 == 91:
            rule = "FREQ=MONTHLY"  # without end: series_ends_at stays NULL
        space = None
        if i % 10 == 5:
            space = spaces[0] if i % 20 == 5 else spaces[i % len(spaces)]
        events.append(
            Event(
                title=f"{EVENT_SUBJECTS[i % len(EVENT_SUBJECTS)]} {district} ({i + 1})",
                description="Komm vorbei! Für Getränke ist gesorgt.",
                space=space,
                organiser=users[(i * 23) % len(users)],
                category=categories[i % len(categories)] if i % 4 else None,
                topic=topics[i % len(topics)] if i % 3 else None,
                target_group=groups[i % len(groups)] if i % 2 else TargetGroup.EVERYONE,
                starts_at=starts,
                ends_at=ends,
                all_day=all_day,
                timezone=tz.key,
                rrule=rule,
                series_ends_at=recurrence.series_end(
                    starts_at=starts, ends_at=ends, rule=rule, tz_name=tz.key
                ),
                place=f"Stadtteilladen {district}",
                district=district,
                latitude=lat,
                longitude=lon,
                capacity=20 + i % 30 if i % 3 == 0 else None,
                status=EventStatus.CANCELLED if i % 50 == 17 else EventStatus.SCHEDULED,
                cancel_reason="Wegen Regen verschoben." if i % 50 == 17 else "",
            )
        )
    events = _insert(Event, events)
    rsvps = []
    for i, event in enumerate(events):
        seen: set[int] = set()
        for k in range(i % 5):
            user = users[(i * 19 + k * 41) % len(users)]
            if user.pk not in seen:
                seen.add(user.pk)
                rsvps.append(
                    Rsvp(event=event, user=user, status=(RsvpStatus.GOING, RsvpStatus.MAYBE)[k % 2])
                )
    _insert(Rsvp, rsvps)
    return events


def _comments(count: int, users: list, ideas: list, posts: list, events: list, now) -> None:
    """80 % on ideas, 10 % on posts, 10 % on events (where there are any); each fifth comment
    a reply to an earlier one on the same target, one in a hundred deleted."""
    from django.contrib.contenttypes.models import ContentType

    from comments.models import Comment

    shares = [(ideas, 8), (posts, 1), (events, 1)]
    shares = [(targets, weight) for targets, weight in shares if targets]
    weights = sum(weight for _targets, weight in shares)
    plan: list[tuple[list, int]] = []
    left = count
    for n, (targets, weight) in enumerate(shares):
        share = left if n == len(shares) - 1 else count * weight // weights
        plan.append((targets, share))
        left -= share
    tops, replies = [], []
    for targets, share in plan:
        target_type = ContentType.objects.get_for_model(targets[0])
        reply_count = share // 5
        for i in range(share - reply_count):
            # Skewed: the lower-indexed (newest) targets get more comments.
            target = targets[(i * i) % len(targets)] if i % 3 else targets[i % len(targets)]
            created = getattr(target, "created_at", None) or now
            tops.append(
                Comment(
                    target_type=target_type,
                    target_id=target.pk,
                    author=users[(i * 29) % len(users)],
                    body=COMMENT_BODIES[i % len(COMMENT_BODIES)],
                    created_at=min(now, created + datetime.timedelta(hours=1 + i % 200)),
                    deleted_at=now if i % 100 == 99 else None,
                )
            )
        replies.append((len(tops) - (share - reply_count), share - reply_count, reply_count))
    with _explicit_timestamps(Comment):
        tops = _insert(Comment, tops)
        answers = []
        for start, length, reply_count in replies:
            for k in range(reply_count):
                parent = tops[start + (k * 3) % length]
                answers.append(
                    Comment(
                        target_type_id=parent.target_type_id,
                        target_id=parent.target_id,
                        parent=parent,
                        author=users[(k * 31 + 1) % len(users)],
                        body=REPLY_BODIES[k % len(REPLY_BODIES)],
                        created_at=min(now, parent.created_at + datetime.timedelta(minutes=30)),
                    )
                )
        _insert(Comment, answers)


def analyze(portal) -> None:
    """ANALYZE the tables filled here, what autovacuum does soon after a bulk load in
    production: a planner without statistics would measure a portal nobody has."""
    from allauth.account.models import EmailAddress

    from accounts.models import Profile, User
    from comments.models import Comment
    from events.models import Event, Rsvp
    from ideas.models import Idea, StatusChange, Support
    from news.models import Post
    from spaces.models import Space, SpaceMembership

    tables = [
        m._meta.db_table
        for m in (
            User, EmailAddress, Profile, Space, SpaceMembership, Idea, Support, StatusChange,
            Post, Event, Rsvp, Comment,
        )
    ]  # fmt: skip
    with tenant_context(portal), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


def fill_portal(
    portal,
    *,
    ideas: int,
    members: int,
    comments: int,
    events: int,
    progress: Callable[[str], None] | None = None,
) -> FillResult:
    """Fill `portal` (provisioned, empty of bench content) with the given numbers of ideas,
    members, comments and events and all that goes with them (see the module docstring)."""
    import time

    from accounts.models import Topic, User

    if members < 2:
        raise ValueError("fill_portal needs at least 2 members (an author and a reader).")
    started = time.perf_counter()
    step = progress or (lambda _what: None)
    _switch_modules_on(portal)
    with tenant_context(portal):
        if User.objects.filter(email__startswith=EMAIL_PREFIX).exists():
            raise ValueError(f"{portal.slug} has bench content already; provision a new portal.")
        now = timezone.now()
        _open_policy()
        topics = [
            Topic.objects.get_or_create(name=name, defaults={"position": n})[0]
            for n, name in enumerate(TOPICS)
        ]
        users = _members(portal.slug, members, now, topics)
        step(f"{len(users)} members")
        spaces = _spaces(users, now, topics)
        step(f"{len(spaces)} spaces")
        idea_rows = _ideas(ideas, users, spaces, topics, now)
        step(f"{len(idea_rows)} ideas")
        posts = _posts(max(3, ideas // 20), users, now)
        event_rows = _events(events, users, spaces, topics, now)
        step(f"{len(event_rows)} events")
        _comments(comments, users, idea_rows, posts, event_rows, now)
        step(f"{comments} comments")
        # users[1]: an ordinary member (moderators are every 500th) and in the big space.
        reader = users[1]
    return FillResult(
        member_ids=[u.pk for u in users],
        member_id=reader.pk,
        space_slug=SPACE_SLUG,
        idea_titles=[i.title for i in idea_rows],
        event_titles=[e.title for e in event_rows],
        seconds=time.perf_counter() - started,
    )
