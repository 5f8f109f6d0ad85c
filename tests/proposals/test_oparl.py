"""The OParl import against a real server on 127.0.0.1 (tests/proposals/oparl_server.py) and the
real database of portal B: what a council's system becomes, what survives a re-import, and that
every failure imports nothing and is logged."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from core.models import AuditEvent
from proposals import oparl
from proposals.models import BodyKind, CouncilMeeting, OParlImport, RecipientBody
from tests.accounts.factories import member_of
from tests.conftest import in_portal
from tests.proposals.oparl_server import BODY, MEETINGS, SYSTEM, serving

STADTRAT = "Ratsversammlung der Stadt Leipzig"
ALTWEST = "Stadtbezirksbeirat Leipzig-Altwest"
UMWELT = "Fachausschuss Umwelt, Klima und Ordnung"


@pytest.fixture
def server():
    with serving() as running:
        yield running


@pytest.fixture
def admin(db, portal_b):
    return member_of(portal_b, Role.ADMIN, display_name="Anna Admin")


@pytest.fixture
def in_b(db, portal_b):
    with in_portal(portal_b):
        yield


def bodies() -> dict[str, RecipientBody]:
    return {b.name: b for b in RecipientBody.objects.all()}


def snapshot() -> tuple:
    """What the admin sees on the manage page, to compare before and after a failed import."""
    return (
        sorted(RecipientBody.objects.values_list("name", "kind", "email", "active")),
        sorted(CouncilMeeting.objects.values_list("name", "starts_at", "cancelled")),
    )


def test_full_import_creates_bodies_and_meetings(server, admin, in_b, english):
    record = oparl.import_oparl(url=server.url(SYSTEM), actor=admin)

    found = bodies()
    assert {name: b.kind for name, b in found.items()} == {
        "Stadt Leipzig": BodyKind.COUNCIL,
        STADTRAT: BodyKind.COUNCIL,
        ALTWEST: BodyKind.DISTRICT_COUNCIL,  # from the second page of the list
        UMWELT: BodyKind.COMMITTEE,
    }
    assert found["Stadt Leipzig"].email == "stadtrat@leipzig.example"
    assert found[UMWELT].email == "fa-uko@leipzig.example"
    assert found[ALTWEST].email == ""
    assert all(b.active and b.oparl_id.startswith(server.base) for b in found.values())

    meetings = {m.oparl_id.rsplit("/", 1)[1]: m for m in CouncilMeeting.objects.all()}
    # Not the Fraktion's meeting, nor those more than a year ago or two years ahead.
    assert set(meetings) == {"2101", "2102", "2050", "2130", "2140"}
    assert meetings["2101"].body.name == STADTRAT
    assert meetings["2102"].body.name == ALTWEST
    assert meetings["2050"].body.name == UMWELT and meetings["2050"].cancelled
    assert not meetings["2130"].cancelled
    assert meetings["2140"].body.name == "Stadt Leipzig"  # no organization: the body's own
    assert meetings["2101"].location == (
        "Neues Rathaus, Festsaal, Raum 260, Martin-Luther-Ring 4-6, 04109 Leipzig"
    )
    assert meetings["2102"].location == ""  # a Location given only as a URL
    assert meetings["2101"].starts_at.isoformat().endswith("13:00:00+00:00")

    record.refresh_from_db()
    assert record.ok and record.error == "" and record.finished_at is not None
    assert (record.bodies, record.meetings, record.by) == (4, 5, admin)
    event = AuditEvent.objects.get(event_type="proposal.bodies_imported")
    assert event.actor == admin
    assert event.detail["bodies_created"] == 4 and event.detail["meetings_created"] == 5


def test_a_body_address_is_read_like_a_system(server, db):
    data = oparl.read_system(url=server.url(BODY))
    assert {b.name for b in data.bodies} == {"Stadt Leipzig", STADTRAT, ALTWEST, UMWELT}
    assert len(data.meetings) == 5
    assert all(m.starts_at.tzinfo is not None for m in data.meetings)


def test_reimport_updates_and_does_not_duplicate(server, admin, in_b):
    oparl.import_oparl(url=server.url(SYSTEM), actor=admin)
    server.organization(UMWELT)["name"] = "Ausschuss für Umwelt und Klima"
    server.meeting(2130).update(cancelled=True, name="Sondersitzung Umwelt")

    record = oparl.import_oparl(url=server.url(SYSTEM), actor=admin)

    assert RecipientBody.objects.count() == 4 and CouncilMeeting.objects.count() == 5
    assert "Ausschuss für Umwelt und Klima" in bodies() and UMWELT not in bodies()
    changed = CouncilMeeting.objects.get(oparl_id__endswith="/meeting/2130")
    assert changed.name == "Sondersitzung Umwelt" and changed.cancelled
    assert changed.body.name == "Ausschuss für Umwelt und Klima"
    assert OParlImport.objects.filter(ok=True).count() == 2 and record.bodies == 4


def test_admin_edits_survive_a_reimport(server, admin, in_b):
    oparl.import_oparl(url=server.url(SYSTEM), actor=admin)
    RecipientBody.objects.filter(name="Stadt Leipzig").update(email="buero@leipzig.example")
    RecipientBody.objects.filter(name=STADTRAT).update(active=False)
    server.organization(ALTWEST)["email"] = "sbb-altwest@leipzig.example"
    server.documents[BODY]["contactEmail"] = "neu@leipzig.example"

    oparl.import_oparl(url=server.url(SYSTEM), actor=admin)

    found = bodies()
    assert found["Stadt Leipzig"].email == "buero@leipzig.example"  # the admin's address wins
    assert not found[STADTRAT].active  # deactivated stays deactivated
    assert found[ALTWEST].email == "sbb-altwest@leipzig.example"  # was blank: filled in
    assert found[UMWELT].active  # positive control: untouched bodies stay active


def test_nothing_is_deleted_by_an_import(server, admin, in_b):
    own = RecipientBody.objects.create(name="Jugendparlament", kind=BodyKind.OTHER)
    oparl.import_oparl(url=server.url(SYSTEM), actor=admin)
    server.documents[MEETINGS]["data"] = []

    oparl.import_oparl(url=server.url(SYSTEM), actor=admin)

    assert RecipientBody.objects.filter(pk=own.pk).exists()
    assert CouncilMeeting.objects.count() == 5


def test_names_are_one_line_of_plain_text(server, admin, in_b):
    server.organization(UMWELT)["name"] = "<script>alert(1)</script>\n\tAusschuss\x07 " + "x" * 300

    oparl.import_oparl(url=server.url(SYSTEM), actor=admin)

    name = RecipientBody.objects.get(kind=BodyKind.COMMITTEE).name
    assert name.startswith("<script>alert(1)</script> Ausschuss x")
    assert len(name) == 200 and "\n" not in name and "\x07" not in name


def assert_failed(*, server, admin, path: str, says: str, code: str) -> None:
    RecipientBody.objects.create(name="Stadtrat (von Hand)", kind=BodyKind.COUNCIL)
    before = snapshot()

    with pytest.raises(ValidationError) as failure:
        oparl.import_oparl(url=server.url(path), actor=admin)

    assert says in failure.value.messages[0]
    assert failure.value.code == code
    assert snapshot() == before
    record = OParlImport.objects.get()
    assert not record.ok and record.finished_at is not None
    assert says in record.error and record.bodies == 0
    assert not AuditEvent.objects.filter(event_type="proposal.bodies_imported").exists()


@pytest.mark.parametrize(
    ("path", "says", "code"),
    [
        ("/not-oparl", "does not answer like an OParl system", "not_oparl"),
        ("/html", "answered with a web page, not with OParl data", "not_oparl"),
        ("/invalid-json", "did not answer with readable JSON", "not_oparl"),
        ("/huge", "is larger than 2.0", "too_large"),
        ("/oparl/v1.1/nothing", "answered with status 404", "http_status"),
    ],
)
def test_an_answer_that_is_not_oparl_imports_nothing(
    server, admin, in_b, english, path, says, code
):
    assert_failed(server=server, admin=admin, path=path, says=says, code=code)


def test_a_list_that_is_not_an_oparl_list_imports_nothing(server, admin, in_b, english):
    # The system and the bodies are fine; the organization list is not: nothing at all is kept.
    server.documents["/oparl/v1.1/body/1/organization?page=2"] = {"items": []}
    assert_failed(
        server=server, admin=admin, path=SYSTEM, says="does not answer like an OParl system",
        code="not_oparl",
    )  # fmt: skip


def test_a_slow_system_times_out(server, admin, in_b, english, monkeypatch):
    monkeypatch.setattr(oparl, "REQUEST_TIMEOUT", 0.5)
    assert_failed(
        server=server, admin=admin, path="/slow", says="did not answer within 0.5 second",
        code="timeout",
    )  # fmt: skip


def test_the_whole_import_has_a_deadline(server, admin, in_b, english, monkeypatch):
    monkeypatch.setattr(oparl, "TOTAL_DEADLINE", 0.5)
    server.delay = 0.2  # every document is quick, but there are five of them
    assert_failed(
        server=server, admin=admin, path=SYSTEM, says="took longer than 0.5 seconds",
        code="deadline",
    )  # fmt: skip


def test_too_many_bodies_imports_nothing(server, admin, in_b, english, monkeypatch):
    monkeypatch.setattr(oparl, "MAX_BODIES", 3)
    assert_failed(
        server=server, admin=admin, path=SYSTEM, says="more than 3 bodies and committees",
        code="too_many_bodies",
    )  # fmt: skip


def test_too_many_meetings_imports_nothing(server, admin, in_b, english, monkeypatch):
    monkeypatch.setattr(oparl, "MAX_MEETINGS", 4)
    assert_failed(
        server=server,
        admin=admin,
        path=SYSTEM,
        says="more than 4 meetings",
        code="too_many_meetings",
    )


def test_too_many_pages_imports_nothing(server, admin, in_b, english, monkeypatch):
    monkeypatch.setattr(oparl, "MAX_PAGES", 1)
    assert_failed(
        server=server, admin=admin, path=SYSTEM, says="has more than 1 pages", code="too_many_pages"
    )


def test_limits_at_the_exact_size_are_fine(server, admin, in_b, monkeypatch):
    # Positive control for the limit tests: the fixture fits limits set to its own size.
    monkeypatch.setattr(oparl, "MAX_BODIES", 4)
    monkeypatch.setattr(oparl, "MAX_MEETINGS", 5)
    monkeypatch.setattr(oparl, "MAX_PAGES", 2)
    assert oparl.import_oparl(url=server.url(SYSTEM), actor=admin).ok


def test_production_refuses_a_loopback_address(server, admin, in_b, english, settings):
    settings.PRODUCTION = True
    assert_failed(
        server=server, admin=admin, path=SYSTEM, says="private or local address",
        code="address_not_allowed",
    )  # fmt: skip
    assert server.requests == []


def test_loopback_is_fine_outside_production(server, admin, in_b, settings):
    # Positive control for the production refusal.
    settings.PRODUCTION = False
    assert oparl.import_oparl(url=server.url(SYSTEM), actor=admin).ok
    assert SYSTEM in server.requests


def test_an_import_without_a_person_is_audited_as_the_system(server, db, in_b):
    # The task passes no actor when the admin who started it has since been deleted.
    assert oparl.import_oparl(url=server.url(SYSTEM), actor=None).ok
    event = AuditEvent.objects.get(event_type="proposal.bodies_imported")
    assert event.actor is None and event.actor_label == "OParl import"
