"""Journey from an idea to a council's decision (issue 13's "done when"): a member posts an
idea, others support it, the author starts a project from it, the project drafts a proposal
from the idea, neighbours co-sign it, the project submits it (the letter with its PDF is in the
mail output), and an administrator records the council's decision, which a visitor then reads
on the public timeline.

In German and English on a desktop and in German on a 390 px phone; screenshots in
`.data/screenshots/idea_to_council/`. What other people do (supporting, co-signing) happens
through the services, as it would in their own browsers.
"""

from __future__ import annotations

import email
import email.policy
import io
import re

from pypdf import PdfReader

from accounts.models import Role, User
from tests.browser import needs_chromium
from tests.conftest import in_portal
from tests.journeys.conftest import log_in, main_nav, say

pytestmark = needs_chromium
PASSWORD = "Obstwiese-am-Kanal-2026"
IDEA = "Obstwiese am Kanalufer"
PROPOSAL = "Brache am Kanalufer als Obstwiese bereitstellen"


def _people(portal):
    from allauth.account.models import EmailAddress

    from proposals import services
    from proposals.models import RecipientBody

    with in_portal(portal):
        made = {}
        for key, name, role in (
            ("author", "Grete Grün", Role.MEMBER),
            ("neighbour", "Nils Nachbar", Role.MEMBER),
            ("neighbour2", "Nora Nachbarin", Role.MEMBER),
            ("admin", "Ada Admin", Role.ADMIN),
        ):
            user = User.objects.create_user(
                email=f"{key}@{portal.slug}.example",
                password=PASSWORD,
                display_name=name,
                role=role,
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            made[key] = user
        services.settings_update(actor=made["admin"], cosigner_threshold=2)
        body = services.body_save(
            actor=made["admin"],
            name="Ortsbeirat Kanalviertel",
            kind="district_council",
            email=f"ortsbeirat@{portal.slug}.example",
        )
        assert RecipientBody.objects.count() == 1
    return made, body


def _letter_mail(live, to: str):
    """The raw message to `to` with a PDF attached, parsed, from the server's mail files."""
    for path in sorted(live.mail_dir.glob("*"), key=lambda p: p.stat().st_mtime_ns):
        for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if to not in chunk:
                continue
            message = email.message_from_string(chunk.lstrip(), policy=email.policy.default)
            for part in message.iter_attachments():
                if part.get_content_type() == "application/pdf":
                    return message, part.get_content()
    raise AssertionError(f"no mail with a PDF to {to}")


def test_idea_to_council(live_site, new_portal, page, shots, variant):
    live, subdomain = live_site, f"council-{variant.id}"
    portal = new_portal(subdomain, name="Bürgernetz Kanalviertel", plan="professional")
    base = live.portal_url(subdomain)
    people, body = _people(portal)
    author = people["author"]

    # The author posts an idea.
    log_in(page, live, subdomain, author.email, PASSWORD)
    main_nav(page, variant).get_by_role("link", name=say(variant, "Ideen", "Ideas")).click()
    page.wait_for_url("**/ideas/")
    page.locator("a[href='/ideas/new/']").first.click()
    page.fill("[name=title]", IDEA)
    page.fill("[name=description]", "Aus der Brache am Kanal wird eine Wiese mit alten Obstsorten.")
    page.fill("[name=place]", "Kanalufer")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/ideas/\d+/$"))
    idea_url = page.url

    # Two neighbours support it (in their own browsers).
    from ideas.models import Idea
    from ideas.services import idea_support

    with in_portal(portal):
        idea = Idea.objects.get(title=IDEA)
        for key in ("neighbour", "neighbour2"):
            idea_support(user=people[key], idea=idea)
    page.reload()
    shots(page, "idea-supported")

    # The author starts a project from it and drafts a proposal there.
    page.locator("form[action$='/project/'] button").click()
    page.wait_for_url(re.compile(r".*/spaces/[\w-]+/$"))
    shots(page, "project")
    page.goto(idea_url)
    page.get_by_role(
        "link",
        name=say(
            variant,
            "Aus dieser Idee einen Antrag an den Rat entwerfen",
            "Draft a proposal to the council from this idea",
        ),
    ).click()
    page.wait_for_url("**/proposals/new/?idea=*")
    assert page.locator("[name=title]").input_value() == IDEA  # taken from the idea
    page.fill("[name=title]", PROPOSAL)
    page.fill(
        "[name=text]",
        "Der Ortsbeirat möge beschließen:\n\n1. Die Stadt stellt die Brache bereit.\n"
        "2. Die Nachbarschaft pflanzt und pflegt die Bäume.",
    )
    page.select_option("[name=recipient]", str(body.pk))
    shots(page, "proposal-written")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/proposals/\d+/$"))
    proposal_url = page.url
    assert page.locator("main h1").inner_text() == PROPOSAL
    assert say(variant, "0 von 2", "0 of 2") in page.locator("main").inner_text()
    shots(page, "draft")

    # The neighbours co-sign; then the project submits it.
    from proposals.models import Proposal
    from proposals.services import proposal_cosign

    with in_portal(portal):
        proposal = Proposal.objects.get(title=PROPOSAL)
        for key in ("neighbour", "neighbour2"):
            proposal_cosign(actor=people[key], proposal=proposal)
    page.reload()
    page.get_by_role(
        "link", name=say(variant, "An den Rat einreichen", "Submit to the council")
    ).click()
    page.wait_for_url("**/submit/")
    assert "Nils Nachbar" in page.locator("main").inner_text()
    shots(page, "submit")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(proposal_url)
    shots(page, "submitted")
    page.goto(f"{proposal_url}versions/")
    assert page.locator("main table tbody tr").count() == 1  # one version so far
    shots(page, "versions")

    # The letter went to the district council with the PDF attached.
    message, pdf = _letter_mail(live, body.email)
    assert PROPOSAL in str(message["Subject"])
    # Words as a reader sees them: the PDF breaks long lines where the page ends.
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for expected in (PROPOSAL, "Grete Grün", "Nils Nachbar", "Nora Nachbarin", portal.name):
        assert expected in text, expected

    # An administrator sees the body on the proposals admin page, then records the decision.
    page.context.clear_cookies()
    log_in(page, live, subdomain, people["admin"].email, PASSWORD)
    page.goto(f"{base}/manage/proposals/")
    assert body.name in page.locator("main").inner_text()
    shots(page, "admin-bodies")
    page.goto(proposal_url)
    form = page.locator("form[action$='/step/']")
    form.locator("[name=status]").select_option("decided")
    form.locator("[name=decision]").select_option("accepted")
    form.locator("[name=note]").fill("Der Ortsbeirat hat den Antrag einstimmig angenommen.")
    shots(page, "decision")
    form.locator("button[type=submit]").click()
    page.wait_for_url(proposal_url)

    # A visitor reads it on the public timeline.
    page.context.clear_cookies()
    page.goto(f"{base}/proposals/")
    card = page.locator("li.proposal-card").filter(has_text=PROPOSAL)
    assert say(variant, "Angenommen", "Accepted") in card.inner_text()
    shots(page, "timeline")
    card.get_by_role("link", name=PROPOSAL).click()
    page.wait_for_url(proposal_url)
    main = page.locator("main").inner_text()
    assert "einstimmig angenommen" in main
    assert say(variant, "angenommen von", "accepted by") in main and body.name in main
    shots(page, "decided")
