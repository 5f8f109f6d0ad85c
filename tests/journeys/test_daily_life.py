"""Journey of a portal's daily life (issue 12's "done when"): a newcomer registers, joins a
group, comments in its discussion, posts an idea and supports another one, creates an event and
copies the address of their calendar, is told of a reply by
mail and in the bell, finds the thread by search and reports a post; a moderator hides it from the queue; the admin switches the
groups module off (everything of it disappears) and on again (everything is back).

In German and English on a desktop and in German on a 390 px phone; screenshots in
`.data/screenshots/daily_life/`. What other people do (the host's reply, the spam post) happens
through the services, as it would in another browser.
"""

from __future__ import annotations

import re

from accounts.models import Role, User
from tests.browser import needs_chromium
from tests.conftest import in_portal
from tests.journeys.conftest import log_in, main_nav, register, say

pytestmark = needs_chromium
PASSWORD = "Nordwind-über-der-Förde-7"
HOST_PASSWORD = "Südwind-über-der-Förde-8"


def _committed_space(portal):
    """A public group with a host, a thread and a spam comment by someone else, made the way
    members make them."""
    from comments.services import comment_create
    from discussions.services import thread_create
    from spaces.models import SpaceVisibility
    from spaces.services import space_create, space_join

    with in_portal(portal):
        host = User.objects.create_user(
            email=f"hanna@{portal.slug}.example", password=HOST_PASSWORD, display_name="Hanna Host"
        )
        spammer = User.objects.create_user(
            email=f"uwe@{portal.slug}.example", password=HOST_PASSWORD, display_name="Uwe Uhren"
        )
        moderator = User.objects.create_user(
            email=f"mia@{portal.slug}.example",
            password=HOST_PASSWORD,
            display_name="Mia Moderation",
            role=Role.MODERATOR,
        )
        admin = User.objects.create_user(
            email=f"ada@{portal.slug}.example",
            password=HOST_PASSWORD,
            display_name="Ada Admin",
            role=Role.ADMIN,
        )
        from allauth.account.models import EmailAddress

        for user in (host, spammer, moderator, admin):
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        space = space_create(
            actor=host,
            name="Radwege im Quartier",
            visibility=SpaceVisibility.PUBLIC,
            description="Wir setzen uns für **sichere Radwege** ein.",
        )
        space_join(user=spammer, space=space)
        thread = thread_create(
            author=host,
            space=space,
            title="Radwege an der Werftstraße",
            body="Die Radwege dort sind zu schmal. Wer macht mit?",
        )
        comment_create(author=spammer, target=thread, body="Billige Uhren auf uhren.example!")
        from ideas.services import idea_post

        idea_post(
            author=host,
            title="Fahrradbügel am Bahnhof",
            description="Zwanzig Bügel, damit die Räder nicht am Geländer hängen.",
            place="Bahnhofsvorplatz",
        )
    return host, moderator, admin, space, thread


def test_daily_life(live_site, new_portal, page, shots, variant):
    live, subdomain = live_site, f"daily-{variant.id}"
    portal = new_portal(subdomain, name="Klimanetz Förde")
    base = live.portal_url(subdomain)
    host, moderator, admin, space, thread = _committed_space(portal)
    email = f"ayse@{subdomain}.example"
    register(
        page, live, variant, portal, email=email, name="Ayşe Demir", password=PASSWORD, shots=shots
    )

    # Find the group through the navigation and join it.
    main_nav(page, variant).get_by_role(
        "link", name=say(variant, "Gruppen und Projekte", "Groups and projects")
    ).click()
    page.wait_for_url("**/spaces/")
    shots(page, "spaces")
    page.get_by_role("link", name="Radwege im Quartier").first.click()
    page.wait_for_url(f"**/spaces/{space.slug}/")
    page.locator(f"form[action='/spaces/{space.slug}/join/'] button").click()
    page.wait_for_url(f"**/spaces/{space.slug}/")
    assert page.locator(f"form[action='/spaces/{space.slug}/leave/']").count() == 1
    shots(page, "joined")

    # Comment in the discussion.
    page.goto(f"{base}/spaces/{space.slug}/discussions/{thread.pk}/")
    mine = "Ich bin dabei und bringe Fotos von der Engstelle mit."
    page.locator("form.comment-form textarea[name=body]").fill(mine)
    shots(page, "comment-written")
    page.locator("form.comment-form button[type=submit]").click()
    page.wait_for_url(f"**/discussions/{thread.pk}/**")
    assert page.locator("article.comment").filter(has_text=mine).count() == 1
    shots(page, "commented")

    # Post an idea, and support another member's.
    main_nav(page, variant).get_by_role("link", name=say(variant, "Ideen", "Ideas")).click()
    page.wait_for_url("**/ideas/")
    page.locator("a[href='/ideas/new/']").first.click()
    page.wait_for_url("**/ideas/new/")
    own_idea = "Trinkbrunnen am Markt"
    page.fill("[name=title]", own_idea)
    page.fill("[name=description]", "Im Sommer fehlt Wasser für alle, die unterwegs sind.")
    shots(page, "idea-written")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/ideas/\d+/$"))
    assert page.locator("main h1").inner_text() == own_idea
    shots(page, "idea-posted")
    page.goto(f"{base}/ideas/")
    page.get_by_role("link", name="Fahrradbügel am Bahnhof").click()
    page.locator("form[action$='/support/'] button").click()
    page.wait_for_load_state()
    assert page.locator("form[action$='/withdraw/']").count() == 1
    shots(page, "idea-supported")
    from ideas.models import Support

    with in_portal(portal):
        assert (
            Support.objects.filter(idea__title="Fahrradbügel am Bahnhof", user__email=email).count()
            == 1
        )

    # Create an event and copy the address of one's own calendar for a calendar app.
    main_nav(page, variant).get_by_role(
        "link", name=say(variant, "Veranstaltungskalender", "Events calendar")
    ).click()
    page.wait_for_url("**/events/")
    page.locator("a[href='/events/new/']").first.click()
    page.wait_for_url("**/events/new/")
    page.fill("[name=title]", "Fotospaziergang zur Engstelle")
    page.fill("[name=starts_at]", "2030-05-04T10:00")
    page.fill("[name=ends_at]", "2030-05-04T12:00")
    page.fill("[name=place]", "Werftstraße")
    shots(page, "event-written")
    with page.expect_navigation():
        page.locator("main form.event-form > .form-buttons button[type=submit]").click()
    assert page.locator("main h1").inner_text() == "Fotospaziergang zur Engstelle"
    shots(page, "event-created")
    page.goto(f"{base}/events/mine/")
    page.get_by_role("button", name=say(variant, "Adresse kopieren", "Copy the address")).click()
    page.locator(".copy-status").filter(has_text=say(variant, "Kopiert.", "Copied.")).wait_for()
    assert "/events/ical/member/" in page.locator("#feed-url").input_value()
    shots(page, "ical-link-copied")

    # The host replies (in their own browser); the newcomer hears of it by mail and in the bell.
    from comments.models import Comment
    from comments.services import comment_create

    with in_portal(portal):
        parent = Comment.objects.get(body=mine)
        comment_create(author=host, target=thread, body="Super, danke Ayşe!", parent=parent)

    # The reply was written in this process, so its mail went through this process's backend.
    from django.core import mail as outbox

    sent = [m for m in outbox.outbox if email in m.to and "Hanna Host" in m.subject]
    assert len(sent) == 1, [m.subject for m in outbox.outbox]
    assert f"/discussions/{thread.pk}/" in sent[0].body
    assert sent[0].extra_headers.get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    page.goto(f"{base}/")
    bell = page.locator("a.notification-bell")
    assert re.search(r"\b1\b", bell.inner_text()), bell.inner_text()
    shots(page, "bell")
    bell.click()
    page.wait_for_url("**/notifications/**")
    assert "Hanna Host" in page.locator("main").inner_text()
    shots(page, "notifications")

    # Search finds the thread in another word form.
    search = page.get_by_role("search")
    search.get_by_role("searchbox").fill("Radweg")
    search.get_by_role("button").click()
    page.wait_for_url("**/search/**")
    assert page.get_by_role("link", name="Radwege an der Werftstraße").count() >= 1
    shots(page, "search")

    # Report the spam post.
    page.goto(f"{base}/spaces/{space.slug}/discussions/{thread.pk}/")
    spam = page.locator("article.comment").filter(has_text="Billige Uhren")
    spam.locator("a.moderation-report-link").click()
    page.wait_for_url("**/moderation/report/**")
    page.locator("input[name=reason][value=spam]").check()
    shots(page, "report")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    shots(page, "reported")

    # The moderator hides it from the queue.
    page.context.clear_cookies()
    log_in(page, live, subdomain, moderator.email, HOST_PASSWORD)
    main_nav(page, variant).get_by_role("link", name="Moderation", exact=True).click()
    page.wait_for_url("**/moderation/")
    assert "Billige Uhren" in page.locator("main").inner_text()
    shots(page, "queue")
    page.locator("form.moderation-decision button[value=hide]").first.click()
    page.wait_for_load_state()
    shots(page, "hidden")
    page.context.clear_cookies()
    page.goto(f"{base}/spaces/{space.slug}/discussions/{thread.pk}/")
    assert "Billige Uhren" not in page.content()
    assert "Radwege an der Werftstraße" in page.content()

    # The admin switches the groups module off and on again.
    page.context.clear_cookies()
    log_in(page, live, subdomain, admin.email, HOST_PASSWORD)
    _switch(page, base, "documents", on=False, shots=None)  # nothing needs groups then
    _switch(page, base, "spaces", on=False, shots=shots)
    assert page.goto(f"{base}/spaces/{space.slug}/").status == 404
    page.goto(f"{base}/search/?q=Radweg")
    assert "Radwege an der Werftstraße" not in page.content()
    nav = main_nav(page, variant)
    assert (
        nav.get_by_role(
            "link", name=say(variant, "Gruppen und Projekte", "Groups and projects")
        ).count()
        == 0
    )
    shots(page, "spaces-off")
    _switch(page, base, "spaces", on=True, shots=shots)
    assert page.goto(f"{base}/spaces/{space.slug}/").status == 200
    assert "Radwege im Quartier" in page.content()
    page.goto(f"{base}/spaces/{space.slug}/discussions/{thread.pk}/")
    assert page.locator("article.comment").filter(has_text=mine).count() == 1
    shots(page, "spaces-on")


def _switch(page, base: str, key: str, *, on: bool, shots) -> None:
    """Switch a module on the modules page, if the portal's plan has it."""
    page.goto(f"{base}/manage/features/")
    row = page.locator(f"#module-{key}")
    if not row.count():
        return
    button = row.locator(f"form button[name=enabled][value='{1 if on else 0}']")
    if not button.count():
        return  # already as wanted, or not in the plan
    button.click()
    page.wait_for_url("**/manage/features/")
    if shots is not None:
        shots(page, f"{key}-{'on' if on else 'off'}")
