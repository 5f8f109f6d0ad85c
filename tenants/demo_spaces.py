"""The demo's daily life: spaces (public, members-only and, on Professional portals, private),
discussions with replies and a mention, a document, a report waiting in the moderation queue and
unread notifications. Everything goes through the modules' services, so the demo shows what a
member would have made. Idempotent: a portal that has spaces already is left as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile


@dataclass(frozen=True)
class DemoThread:
    author: str  # e-mail of a demo member
    title: str
    body: str
    replies: tuple[tuple[str, str], ...] = ()  # (author e-mail, text)


@dataclass(frozen=True)
class DemoSpace:
    name: str
    admin: str  # e-mail of a demo member
    visibility: str  # spaces.models.SpaceVisibility
    join_policy: str  # spaces.models.JoinPolicy
    description: str
    members: tuple[str, ...] = ()
    kind: str = "group"
    place: str = ""
    goal: str = ""
    topics: tuple[str, ...] = ()
    threads: tuple[DemoThread, ...] = ()
    document: str = ""  # title of a small text document, if any


SPACES: dict[str, tuple[DemoSpace, ...]] = {
    "klimanetz": (
        DemoSpace(
            name="Repair-Café Gaarden",
            admin="repair-cafe@klimanetz.example",
            visibility="public",
            join_policy="open",
            place="Kiel-Gaarden",
            topics=("Klima und Energie", "Nachbarschaft"),
            description="Wir reparieren gemeinsam, was sonst weggeworfen würde: **jeden ersten "
            "Samstag im Monat** im Stadtteilzentrum. Werkzeug ist da, Kaffee auch.",
            members=("solar@klimanetz.example", "admin@klimanetz.example"),
            threads=(
                DemoThread(
                    "repair-cafe@klimanetz.example",
                    "Reparaturtag im Dezember: wer hilft mit?",
                    "Wir brauchen noch zwei Leute für Elektrogeräte und eine Person für die "
                    "Kasse. Wer kann am 5. Dezember?",
                    (
                        ("solar@klimanetz.example", "Ich komme und bringe mein Lötset mit."),
                        (
                            "admin@klimanetz.example",
                            "Danke! @SolarinitiativeProbstei, kannst du auch die Kasse übernehmen?",
                        ),
                    ),
                ),
                DemoThread(
                    "solar@klimanetz.example",
                    "Sichere Radwege zum Café",
                    "Viele kommen mit dem Lastenrad. Die Radwege an der Werftstraße sind "
                    "eng – sollen wir das beim Ortsbeirat ansprechen?",
                    (("repair-cafe@klimanetz.example", "Ja, unbedingt. Ich sammle Fotos."),),
                ),
            ),
        ),
        DemoSpace(
            name="Balkonkraftwerke für alle",
            admin="solar@klimanetz.example",
            visibility="members",
            join_policy="request",
            kind="project",
            place="Probstei",
            goal="100 Balkonkraftwerke in der Probstei bis Ende 2027, mit Sammelbestellung.",
            topics=("Klima und Energie",),
            description="Wir organisieren Sammelbestellungen und helfen bei der Anmeldung.",
            threads=(
                DemoThread(
                    "solar@klimanetz.example",
                    "Sammelbestellung Frühjahr",
                    "Die Liste für die nächste Bestellung ist offen.",
                ),
            ),
        ),
    ),
    "lindenau": (
        DemoSpace(
            name="Initiative Grüne Ecke",
            admin="gruene-ecke@lindenau.example",
            visibility="public",
            join_policy="open",
            place="Lindenauer Markt",
            topics=("Nachbarschaft", "Klima und Energie"),
            description="Wir begrünen Ecken, Baumscheiben und Höfe in Lindenau.",
            members=("anwohnerin@lindenau.example", "verwaltung@lindenau.example"),
            threads=(
                DemoThread(
                    "gruene-ecke@lindenau.example",
                    "Obstbäume am Markt: Pflanztag",
                    "Am Samstag pflanzen wir sechs Obstbäume. Spaten bitte mitbringen!",
                    (
                        ("anwohnerin@lindenau.example", "Ich bringe Kuchen für alle mit."),
                        ("verwaltung@lindenau.example", "Das Stadtteilbüro stellt Gießkannen."),
                    ),
                ),
            ),
        ),
        DemoSpace(
            name="Fahrradbügel für Lindenau",
            admin="anwohnerin@lindenau.example",
            visibility="members",
            join_policy="request",
            kind="project",
            place="Lindenau",
            goal="Dort Fahrradbügel, wo die Umfrage sie fordert.",
            topics=("Mobilität",),
            description="Wir werten die Umfrage aus und schlagen Standorte vor.",
            members=("gruene-ecke@lindenau.example",),
            threads=(
                DemoThread(
                    "anwohnerin@lindenau.example",
                    "Radwege und Bügel: erste Auswertung",
                    "Die meisten Wünsche kommen aus der Merseburger Straße.",
                    (("gruene-ecke@lindenau.example", "Spannend, die Karte dazu wäre toll."),),
                ),
            ),
        ),
        DemoSpace(
            name="Stadtteilbüro intern",
            admin="verwaltung@lindenau.example",
            visibility="private",
            join_policy="invitation",
            description="Absprachen des Stadtteilbüros, nur für das Team.",
            members=("admin@lindenau.example",),
            threads=(
                DemoThread(
                    "verwaltung@lindenau.example",
                    "Vorbereitung Stadtbezirksbeirat",
                    "Welche Anträge aus dem Portal nehmen wir in die Sitzung mit?",
                ),
            ),
            document="Sitzungsplan 2027",
        ),
    ),
    "nachbarschaft": (
        DemoSpace(
            name="Nachbarschaftscafé",
            admin="koordination@nachbarschaft.example",
            visibility="public",
            join_policy="open",
            description="Das offene Café im Vereinshaus, dienstags ab 15 Uhr.",
            members=("ehrenamt@nachbarschaft.example", "admin@nachbarschaft.example"),
            threads=(
                DemoThread(
                    "koordination@nachbarschaft.example",
                    "Dienstplan Januar",
                    "Bitte tragt euch bis Freitag ein.",
                    (
                        ("ehrenamt@nachbarschaft.example", "Ich übernehme den 14. Januar."),
                        (
                            "admin@nachbarschaft.example",
                            "Wer kurzfristig ausfällt, ruft bitte Tom privat an: 0170 1234567.",
                        ),
                    ),
                ),
            ),
        ),
        DemoSpace(
            name="Ehrenamtskoordination",
            admin="koordination@nachbarschaft.example",
            visibility="members",
            join_policy="open",
            description="Einsätze, Schulungen und Fragen der Ehrenamtlichen.",
            members=("ehrenamt@nachbarschaft.example", "admin@nachbarschaft.example"),
            threads=(
                DemoThread(
                    "ehrenamt@nachbarschaft.example",
                    "Erste-Hilfe-Kurs im Februar?",
                    "Hätten noch mehr Interesse an einer Auffrischung?",
                    (("admin@nachbarschaft.example", "Ja, der Verein übernimmt die Kosten."),),
                ),
            ),
            document="Leitfaden für Ehrenamtliche",
        ),
        DemoSpace(
            name="Vorstand",
            admin="admin@nachbarschaft.example",
            visibility="private",
            join_policy="invitation",
            description="Der Vorstand bereitet hier seine Sitzungen vor.",
            members=("koordination@nachbarschaft.example",),
            threads=(
                DemoThread(
                    "admin@nachbarschaft.example",
                    "Haushalt 2027",
                    "Der Entwurf liegt im Dokumentenordner.",
                ),
            ),
            document="Haushaltsentwurf 2027",
        ),
    ),
}

# Who reports which reply (the queue shows one open report per demo portal).
REPORTS = {
    "klimanetz": ("solar@klimanetz.example", "Sichere Radwege zum Café"),
    "lindenau": ("anwohnerin@lindenau.example", "Obstbäume am Markt: Pflanztag"),
    "nachbarschaft": ("ehrenamt@nachbarschaft.example", "Dienstplan Januar"),
}


def seed_spaces(subdomain: str) -> None:
    """The spaces of one demo portal (the caller is in its schema)."""
    from accounts.models import Topic, User
    from comments.services import comment_create
    from discussions.models import Thread
    from discussions.services import thread_create
    from documents.services import document_upload
    from features.selectors import enabled_here
    from moderation.models import Reason
    from moderation.services import report_file
    from spaces.models import Space
    from spaces.services import space_create, space_invite, space_join

    if Space.objects.exists() or not enabled_here("spaces"):
        return
    people = {user.email: user for user in User.objects.all()}
    today = datetime.date.today()
    for demo in SPACES.get(subdomain, ()):
        if demo.visibility == "private" and not enabled_here("private_spaces"):
            continue
        admin = people[demo.admin]
        space = space_create(
            actor=admin,
            name=demo.name,
            kind=demo.kind,
            description=demo.description,
            place=demo.place,
            visibility=demo.visibility,
            join_policy=demo.join_policy,
            goal=demo.goal,
            status="active" if demo.kind == "project" else "",
            starts_on=today.replace(day=1) if demo.kind == "project" else None,
            topic_ids=list(Topic.objects.filter(name__in=demo.topics).values_list("pk", flat=True)),
        )
        for email in demo.members:
            if demo.join_policy == "open":
                space_join(user=people[email], space=space)
            else:
                # Invited members join as the space's admin let them in.
                space_invite(actor=admin, space=space, invitee=people[email])
                from spaces.services import invitation_accept

                invitation_accept(user=people[email], space=space)
        for item in demo.threads:
            thread = thread_create(
                author=people[item.author], space=space, title=item.title, body=item.body
            )
            for author, text in item.replies:
                comment_create(author=people[author], target=thread, body=text)
        if demo.document and enabled_here("documents"):
            document_upload(
                user=admin,
                space=space,
                folder=None,
                file=SimpleUploadedFile(
                    f"{demo.document}.txt",
                    f"{demo.document}\n\nEntwurf zur Besprechung.".encode(),
                    "text/plain",
                ),
                title=demo.document,
            )
    # A report waiting for the moderators: the last reply in the named thread.
    reporter_email, title = REPORTS[subdomain]
    thread = Thread.objects.filter(title=title).first()
    if thread is not None:
        from comments.selectors import comments_for

        shown = comments_for(user=people[reporter_email], target=thread)
        reply = shown[-1] if shown else None
        if reply is not None and reply.author.email != reporter_email:
            report_file(
                reporter=people[reporter_email],
                target=reply,
                reason=Reason.OTHER,
                text="Gehört das hierher? Bitte einmal prüfen.",
            )
