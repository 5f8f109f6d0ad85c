"""The city demo's ideas marketplace (Bürgernetz Lindenau): ideas in every status, posted by
citizens, an initiative and the district office, with supports, comments, and one realised
through a project started from it. Through the ideas services, like everything in the demo;
idempotent (a portal with ideas is left alone).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoIdea:
    author: str  # e-mail of a demo member
    title: str
    description: str
    topic: str
    place: str
    supporters: tuple[str, ...] = ()
    status: str = "new"  # ideas.models.IdeaStatus; "realised" goes through a project
    reason: str = ""
    on_behalf_of: str = ""  # the name of a space the author belongs to
    comments: tuple[tuple[str, str], ...] = ()


IDEAS: dict[str, tuple[DemoIdea, ...]] = {
    "lindenau": (
        DemoIdea(
            "anwohnerin@lindenau.example",
            "Fahrradbügel vor der Schule an der Merseburger Straße",
            "Morgens stehen die Räder kreuz und quer auf dem Gehweg. Zehn Bügel würden reichen.",
            "Mobilität",
            "Merseburger Straße",
            supporters=("gruene-ecke@lindenau.example", "verwaltung@lindenau.example"),
            status="realised",
            reason="Die Bügel stehen seit Oktober – danke an alle, die mitgeplant haben!",
            comments=(("gruene-ecke@lindenau.example", "Wir helfen beim Aufstellen."),),
        ),
        DemoIdea(
            "gruene-ecke@lindenau.example",
            "Obstwiese auf der Brache am Karl-Heine-Kanal",
            "Aus der Brache wird eine Wiese mit alten Obstsorten, gepflegt von Nachbar*innen.",
            "Klima und Energie",
            "Karl-Heine-Kanal",
            supporters=("anwohnerin@lindenau.example",),
            status="implementation",
            reason="Das Grünflächenamt prüft die Fläche; die Initiative plant die Pflanzung.",
            on_behalf_of="Initiative Grüne Ecke",
        ),
        DemoIdea(
            "verwaltung@lindenau.example",
            "Sprechstunde des Stadtteilbüros am Samstag",
            "Wer unter der Woche arbeitet, kommt nicht ins Büro. Einmal im Monat samstags?",
            "Nachbarschaft",
            "Stadtteilbüro",
            supporters=("anwohnerin@lindenau.example", "gruene-ecke@lindenau.example"),
            status="discussion",
            reason="Wir sammeln bis Ende Januar Rückmeldungen zu Uhrzeit und Ort.",
        ),
        DemoIdea(
            "anwohnerin@lindenau.example",
            "Bücherschrank am Lindenauer Markt",
            "Ein wetterfester Schrank zum Tauschen von Büchern.",
            "Kultur",
            "Lindenauer Markt",
            supporters=("gruene-ecke@lindenau.example",),
        ),
        DemoIdea(
            "gruene-ecke@lindenau.example",
            "Autofreier Sonntag in der Josephstraße",
            "Einmal im Sommer gehört die Straße den Kindern.",
            "Mobilität",
            "Josephstraße",
            status="archived",
            reason="Zusammengelegt mit dem Straßenfest-Vorschlag vom Frühjahr.",
        ),
    ),
}


def seed_ideas(subdomain: str) -> None:
    """The ideas of one demo portal (the caller is in its schema)."""
    from accounts.models import Topic, User
    from comments.services import comment_create
    from features.selectors import enabled_here
    from ideas.models import Idea
    from ideas.services import (
        idea_post,
        idea_start_project,
        idea_status_change,
        idea_support,
    )
    from spaces.models import Space

    demo = IDEAS.get(subdomain)
    if not demo or not enabled_here("ideas") or Idea.objects.exists():
        return
    people = {user.email: user for user in User.objects.all()}
    moderator = next(u for u in people.values() if u.role in ("moderator", "admin"))
    for item in demo:
        space = Space.objects.filter(name=item.on_behalf_of).first() if item.on_behalf_of else None
        idea = idea_post(
            author=people[item.author],
            title=item.title,
            description=item.description,
            topic_id=Topic.objects.filter(name=item.topic).values_list("pk", flat=True).first(),
            place=item.place,
            on_behalf_of_id=space.pk if space else None,
        )
        for email in item.supporters:
            idea_support(user=people[email], idea=idea)
        for email, text in item.comments:
            comment_create(author=people[email], target=idea, body=text)
        if item.status in ("implementation", "realised"):
            idea_status_change(
                moderator=moderator,
                idea=idea,
                status="discussion",
                reason="Viele Unterstützer*innen – wir sprechen darüber.",
            )
            # "Start a project from this idea" links a project space and moves it on.
            idea_start_project(user=people[item.author], idea=idea)
            if item.status == "realised":
                idea.refresh_from_db()
                idea_status_change(
                    moderator=moderator, idea=idea, status="realised", reason=item.reason
                )
        elif item.status != "new":
            idea_status_change(
                moderator=moderator, idea=idea, status=item.status, reason=item.reason
            )
