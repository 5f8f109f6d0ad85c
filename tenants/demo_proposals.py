"""The city demo's proposals (Bürgernetz Lindenau): recipient bodies with their meetings, a
proposal from the orchard idea's project that went to the district council, was put on the
agenda of its December meeting and accepted, and a draft still collecting co-signatures.
Through the proposals services, like everything in the demo, except the meetings, which stand
in for an OParl import (the demo has no council information system to ask); idempotent (a
portal with proposals is left alone).
"""

from __future__ import annotations

import datetime

BODIES = (
    ("Stadtbezirksbeirat Leipzig-Altwest", "district_council", "bezirksbeirat@lindenau.example"),
    ("Stadtrat Leipzig", "council", "stadtrat@lindenau.example"),
    ("Fachausschuss Umwelt, Klima und Ordnung", "committee", "umweltausschuss@lindenau.example"),
)
ORCHARD_IDEA = "Obstwiese auf der Brache am Karl-Heine-Kanal"


def _meeting(body, name: str, days: int, hour: int):
    from django.utils import timezone

    from proposals.models import CouncilMeeting

    day = timezone.localdate() + datetime.timedelta(days=days)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return CouncilMeeting.objects.create(
        body=body, name=name, starts_at=starts, location="Rathaus Leipzig-Lindenau, Saal 1"
    )


def seed_proposals(subdomain: str) -> None:
    """The proposals of one demo portal (the caller is in its schema)."""
    from accounts.models import User
    from features.selectors import enabled_here
    from ideas.models import Idea
    from proposals import services
    from proposals.models import Proposal
    from spaces.models import Space

    if subdomain != "lindenau" or not enabled_here("proposals") or Proposal.objects.exists():
        return
    people = {user.email: user for user in User.objects.all()}
    admin = people["admin@lindenau.example"]
    office = people["verwaltung@lindenau.example"]
    initiative = people["gruene-ecke@lindenau.example"]
    resident = people["anwohnerin@lindenau.example"]
    services.settings_update(actor=admin, cosigner_threshold=2)
    bodies = {
        name: services.body_save(actor=admin, name=name, kind=kind, email=email)
        for name, kind, email in BODIES
    }
    district = bodies[BODIES[0][0]]
    # The orchard proposal was on the agenda two weeks ago; the next meetings are ahead.
    agenda = _meeting(district, "Sitzung des Stadtbezirksbeirats Altwest", -14, 18)
    _meeting(district, "Sitzung des Stadtbezirksbeirats Altwest", 1, 18)
    _meeting(district, "Sitzung des Stadtbezirksbeirats Altwest", 29, 18)
    _meeting(bodies[BODIES[1][0]], "Ratsversammlung", 8, 14)

    idea = Idea.objects.filter(title=ORCHARD_IDEA).select_related("project").first()
    project = idea.project if idea is not None else None
    if project is not None:
        proposal = services.proposal_start(
            actor=initiative,
            space=project,
            idea_id=idea.pk,
            title="Brache am Karl-Heine-Kanal als Obstwiese bereitstellen",
            text=(
                "Der Stadtbezirksbeirat möge beschließen:\n\n"
                "1. Die Stadt stellt die Brache am Karl-Heine-Kanal für eine Obstwiese bereit.\n"
                "2. Die Initiative Grüne Ecke übernimmt Pflanzung und Pflege.\n\n"
                "## Begründung\n\n"
                "Die Fläche liegt seit Jahren brach. Viele Nachbar*innen haben die Idee "
                "unterstützt und wollen mit anpacken."
            ),
            recipient_id=district.pk,
            place="Karl-Heine-Kanal",
            topic_id=idea.topic_id,
        )
        services.proposal_edit(
            actor=initiative,
            proposal=proposal,
            title=proposal.title,
            text=proposal.text.replace(
                "Pflanzung und Pflege.",
                "Pflanzung und Pflege für zunächst fünf Jahre.\n"
                "3. Das Grünflächenamt berät bei der Auswahl alter Obstsorten.",
            ),
            recipient_id=district.pk,
            place=proposal.place,
            topic_id=proposal.topic_id,
            note="Pflegezeitraum und Beratung ergänzt",
        )
        for signer in (resident, office, admin):
            services.proposal_cosign(actor=signer, proposal=proposal)
        services.proposal_submit(actor=initiative, proposal=proposal)
        services.proposal_record_step(
            actor=office, proposal=proposal, status="received", note="Eingang bestätigt."
        )
        services.proposal_record_step(
            actor=office, proposal=proposal, status="on_agenda", meeting_id=agenda.pk
        )
        services.proposal_record_step(
            actor=office,
            proposal=proposal,
            status="decided",
            decision="accepted",
            note=(
                "Der Stadtbezirksbeirat hat den Antrag einstimmig angenommen. Das Amt für "
                "Stadtgrün und Gewässer schließt mit der Initiative eine Pflegevereinbarung."
            ),
        )
    group = Space.objects.filter(name="Initiative Grüne Ecke").first()
    if group is not None:
        draft = services.proposal_start(
            actor=initiative,
            space=group,
            title="Mehr Fahrradbügel am Lindenauer Markt",
            text=(
                "Der Stadtbezirksbeirat möge beschließen, am Lindenauer Markt zwanzig "
                "zusätzliche Fahrradbügel aufzustellen.\n\n## Begründung\n\nAn Markttagen "
                "stehen die Räder auf dem Gehweg."
            ),
            recipient_id=district.pk,
            place="Lindenauer Markt",
        )
        services.proposal_cosign(actor=resident, proposal=draft)
