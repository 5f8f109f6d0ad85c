"""The demo's calendars and map. The climate network (Klimanetz Förde) gets a month of events
from several initiatives around Kiel: a monthly repair day, a weekly plenary without end, a
neighbourhood festival on the same afternoon and in the same district as a repair day (the
clash the hint shows), an info evening, a workshop with a waiting list; its initiatives sit on
the map, and the map opens over Kiel without any third-party tiles. The NGO intranet's café
subscribes to the climate network's public calendar (read twice an hour, or by "Read now").

Dates are relative to the day the demo is made, so the calendar is never empty. Through the
services, like everything in the demo; idempotent (a portal with events is left alone).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DemoPlace:
    space: str  # a demo space's name
    latitude: str
    longitude: str


@dataclass(frozen=True)
class DemoEvent:
    organiser: str  # e-mail of a demo member
    title: str
    day: int  # days from today; for a monthly series, the first date is computed
    start: tuple[int, int]
    hours: float
    description: str = ""
    space: str = ""  # a demo space's name; "" for a portal-wide event
    category: str = ""
    place: str = ""
    district: str = ""
    latitude: str = ""
    longitude: str = ""
    rrule: str = ""
    capacity: int | None = None
    online_url: str = ""
    target_group: str = "everyone"
    going: tuple[str, ...] = ()
    maybe: tuple[str, ...] = ()


NEW_SPACES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    # (name, admin, place, description)
    "klimanetz": (
        (
            "Lastenrad Kiel",
            "admin@klimanetz.example",
            "Kiel-Mitte",
            "Freie Lastenräder zum Ausleihen und ein offener Schraubtreff.",
        ),
        (
            "Gemeinschaftsgarten Hassee",
            "repair-cafe@klimanetz.example",
            "Kiel-Hassee",
            "Gemüse, Kräuter und Nachbarschaft auf einer ehemaligen Brache.",
        ),
        (
            "Klimaschutz Eckernförde",
            "solar@klimanetz.example",
            "Eckernförde",
            "Bürger*innen und Stadt arbeiten am Klimaschutzkonzept der Stadt.",
        ),
    ),
}

PLACES: dict[str, tuple[DemoPlace, ...]] = {
    "klimanetz": (
        DemoPlace("Repair-Café Gaarden", "54.310300", "10.152500"),
        DemoPlace("Balkonkraftwerke für alle", "54.391700", "10.374700"),
        DemoPlace("Lastenrad Kiel", "54.323300", "10.122800"),
        DemoPlace("Gemeinschaftsgarten Hassee", "54.301000", "10.105000"),
        DemoPlace("Klimaschutz Eckernförde", "54.469000", "9.838000"),
    ),
}

CATEGORIES = ("Reparieren", "Treffen", "Infoabend", "Fest", "Workshop")

EVENTS: dict[str, tuple[DemoEvent, ...]] = {
    "klimanetz": (
        DemoEvent(
            "repair-cafe@klimanetz.example",
            "Reparaturtag im Stadtteilzentrum",
            day=-1,  # the next first Saturday of a month
            start=(14, 0),
            hours=3,
            description="Bringt kaputte Geräte, Kleidung und Fahrräder mit – wir reparieren "
            "gemeinsam. **Kaffee und Kuchen** gibt es auch.",
            space="Repair-Café Gaarden",
            category="Reparieren",
            place="Stadtteilzentrum Gaarden, Kaiserstraße 48, Kiel",
            district="Gaarden",
            latitude="54.310300",
            longitude="10.152500",
            rrule="FREQ=MONTHLY;BYDAY=1SA",
            capacity=25,
            going=("solar@klimanetz.example",),
        ),
        DemoEvent(
            "admin@klimanetz.example",
            "Stadtteilfest Gaarden",
            day=-1,  # the same Saturday: the clash a new repair day would be warned about
            start=(12, 0),
            hours=6,
            description="Musik, Essen und Infostände auf dem Vinetaplatz.",
            category="Fest",
            place="Vinetaplatz, Kiel",
            district="Gaarden",
            latitude="54.314000",
            longitude="10.149000",
            target_group="families",
        ),
        DemoEvent(
            "admin@klimanetz.example",
            "Klimanetz-Plenum",
            day=1,
            start=(19, 0),
            hours=1.5,
            description="Jede Woche: Neuigkeiten aus den Initiativen und gemeinsame Planung. "
            "Vor Ort oder per Video.",
            category="Treffen",
            place="KulturForum, Andreas-Gayk-Straße 31, Kiel",
            district="Mitte",
            latitude="54.320500",
            longitude="10.131200",
            rrule="FREQ=WEEKLY",
            online_url="https://meet.klimanetz.example/plenum",
            target_group="initiatives",
            going=("repair-cafe@klimanetz.example", "solar@klimanetz.example"),
        ),
        DemoEvent(
            "solar@klimanetz.example",
            "Infoabend Balkonkraftwerke",
            day=9,
            start=(19, 0),
            hours=2,
            description="Was darf ich anschließen, was kostet es, wie melde ich es an?",
            space="Balkonkraftwerke für alle",
            category="Infoabend",
            place="Gemeindehaus Schönberg",
            district="Probstei",
            latitude="54.391700",
            longitude="10.374700",
            maybe=("repair-cafe@klimanetz.example",),
        ),
        DemoEvent(
            "admin@klimanetz.example",
            "Lastenrad-Schraubworkshop",
            day=6,
            start=(17, 0),
            hours=2.5,
            description="Bremsen, Schaltung, Licht: wir zeigen, wie es geht. Nur zwei Plätze – wer später kommt, steht auf der Warteliste.",
            space="Lastenrad Kiel",
            category="Workshop",
            place="Alte Mu, Lorentzendamm 6, Kiel",
            district="Mitte",
            latitude="54.327000",
            longitude="10.128000",
            capacity=2,
            going=("repair-cafe@klimanetz.example", "solar@klimanetz.example"),
        ),
        DemoEvent(
            "repair-cafe@klimanetz.example",
            "Pflanzaktion im Gemeinschaftsgarten",
            day=16,
            start=(10, 0),
            hours=3,
            description="Wir setzen Obststräucher. Handschuhe mitbringen!",
            space="Gemeinschaftsgarten Hassee",
            category="Workshop",
            place="Gemeinschaftsgarten Hassee, Kiel",
            district="Hassee",
            latitude="54.301000",
            longitude="10.105000",
            target_group="families",
        ),
        DemoEvent(
            "solar@klimanetz.example",
            "Klimastammtisch Eckernförde",
            day=20,
            start=(18, 30),
            hours=2,
            space="Klimaschutz Eckernförde",
            category="Treffen",
            place="Stadthalle Eckernförde",
            district="Eckernförde",
            latitude="54.469000",
            longitude="9.838000",
        ),
        DemoEvent(
            "admin@klimanetz.example",
            "Kleidertausch im Rathaus",
            day=24,
            start=(11, 0),
            hours=4,
            category="Fest",
            place="Rathaus Kiel, Fleethörn 9",
            district="Mitte",
            latitude="54.320800",
            longitude="10.134500",
        ),
    ),
    "lindenau": (
        DemoEvent(
            "verwaltung@lindenau.example",
            "Sitzung des Stadtbezirksbeirats Altwest",
            day=12,
            start=(18, 0),
            hours=3,
            description="Öffentliche Sitzung; Bürger*innen können Fragen stellen.",
            place="Stadtteilbüro Lindenau, Leipzig",
            district="Lindenau",
        ),
        DemoEvent(
            "gruene-ecke@lindenau.example",
            "Obstbäume pflanzen am Lindenauer Markt",
            day=5,
            start=(10, 0),
            hours=3,
            space="Initiative Grüne Ecke",
            place="Lindenauer Markt, Leipzig",
            district="Lindenau",
            latitude="51.338900",
            longitude="12.333100",
        ),
    ),
}

MAP_CENTRES = {
    "klimanetz": ("54.323300", "10.122800", 10),
    "lindenau": ("51.338900", "12.333100", 14),
}

# The intranet's café reads the climate network's public calendar.
SUBSCRIPTIONS = {"nachbarschaft": (("Nachbarschaftscafé", "klimanetz"),)}


def _first_saturday_after(today: datetime.date) -> datetime.date:
    day = today.replace(day=1)
    while True:
        saturday = day + datetime.timedelta(days=(5 - day.weekday()) % 7)
        if saturday >= today:
            return saturday
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def seed_events(subdomain: str) -> None:
    """The calendar and map of one demo portal (the caller is in its schema)."""
    from django.utils import timezone

    from accounts.models import User
    from events import services
    from events.imports import subscription_create
    from events.models import CalendarSubscription, EventCategory
    from events.models import Event as EventModel
    from features.selectors import enabled_here
    from places.models import MapSettings
    from spaces.models import Space
    from spaces.services import space_create

    if (
        not enabled_here("events")
        or EventModel.objects.exists()
        or CalendarSubscription.objects.exists()
    ):
        return
    people = {user.email: user for user in User.objects.all()}
    if enabled_here("spaces"):
        for name, admin, place, description in NEW_SPACES.get(subdomain, ()):
            if not Space.objects.filter(name=name).exists():
                space_create(
                    actor=people[admin],
                    name=name,
                    place=place,
                    description=description,
                    visibility="public",
                )
        for demo_place in PLACES.get(subdomain, ()):
            Space.objects.filter(name=demo_place.space).update(
                latitude=Decimal(demo_place.latitude), longitude=Decimal(demo_place.longitude)
            )
    if subdomain in MAP_CENTRES:
        latitude, longitude, zoom = MAP_CENTRES[subdomain]
        MapSettings.objects.update_or_create(
            pk=1,
            defaults={
                "center_latitude": Decimal(latitude),
                "center_longitude": Decimal(longitude),
                "zoom": zoom,
                "privacy_note": "Diese Karte lädt keine Kartenbilder von fremden Servern: "
                "sie zeigt nur die Orte, ohne Hintergrundkarte.",
            },
        )
    spaces = {space.name: space for space in Space.objects.all()}
    admin = next(u for u in people.values() if u.role == "admin")
    categories = {}
    if subdomain in EVENTS:
        for name in CATEGORIES:
            categories[name] = EventCategory.objects.filter(
                name=name
            ).first() or services.category_save(actor=admin, name=name)
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    for demo in EVENTS.get(subdomain, ()):
        day = _first_saturday_after(today) if demo.day < 0 else today + datetime.timedelta(demo.day)
        if demo.rrule.startswith("FREQ=WEEKLY") and demo.day > 0:
            day = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)  # a Tuesday
        starts_at = datetime.datetime.combine(day, datetime.time(*demo.start), zone)
        space = spaces.get(demo.space) if demo.space else None
        if demo.space and space is None:
            continue
        event = services.event_create(
            actor=people[demo.organiser],
            space=space,
            fields=services.EventFields(
                title=demo.title,
                description=demo.description,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=demo.hours),
                rrule=demo.rrule,
                place=demo.place,
                district=demo.district,
                latitude=demo.latitude or None,
                longitude=demo.longitude or None,
                online_url=demo.online_url,
                category_id=categories[demo.category].pk if demo.category else None,
                target_group=demo.target_group,
                capacity=demo.capacity,
            ),
        )
        for email in demo.going:
            services.rsvp_set(user=people[email], event=event, status="going")
        for email in demo.maybe:
            services.rsvp_set(user=people[email], event=event, status="maybe")
    _seed_subscriptions(subdomain, people, spaces, subscription_create)


def _seed_subscriptions(subdomain, people, spaces, subscription_create) -> None:
    from tenants.models import Portal
    from tenants.selectors import portal_base_url

    for space_name, source in SUBSCRIPTIONS.get(subdomain, ()):
        space = spaces.get(space_name)
        portal = Portal.objects.filter(slug=source).first()
        if space is None or portal is None:
            continue
        admin = space.memberships.filter(role="admin").select_related("user").first()
        if admin is None:
            continue
        subscription_create(
            actor=admin.user, space=space, url=f"{portal_base_url(portal)}events/ical/"
        )
