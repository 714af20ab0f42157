"""Hand-over between schools and the county inbox (R-RPT-4: every report reaches the school it
concerns; nothing is lost). A report handed to another school leaves the sender's inbox and
enters the receiver's as new; one handed up to the county waits in the bureau's county inbox
until the bureau's safety staff hand it on. Each move needs a reason and is audited."""

from __future__ import annotations

import pytest

from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.core.testing import make_user
from anxin.intake import services, transfer
from anxin.intake.models import EventKind, Report, Status
from anxin.intake.tests.conftest import FORM


@pytest.fixture
def a2_safety(world):
    return make_user("a2_safety", world.county_a, Role.SAFETY_LEADER, world.school_a2)


def test_handing_a_report_to_another_school_moves_it_with_its_history(world, as_user, submitted, a2_safety):
    report = submitted.report
    services.acknowledge(report, by=world.user[Role.SAFETY_LEADER])
    sender = as_user(world.user[Role.SAFETY_LEADER])
    r = sender.post(
        f"/intake/reports/{report.pk}/transfer/",
        {"school": world.school_a2.pk, "reason": "说的是习岗小学的事"},
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert (report.school_id, report.status, report.owner_id, report.at_county) == (
        world.school_a2.pk,
        Status.NEW,
        None,
        False,
    )
    ev = report.events.get(kind=EventKind.HANDED_OVER)
    assert ev.text == "说的是习岗小学的事" and ev.data["from_school"] == world.school_a1.pk
    assert set(report.events.values_list("school_id", flat=True)) == {world.school_a2.pk}
    assert AuditEvent.objects.filter(
        object_type="intake.report", object_id=str(report.pk), action="update"
    ).exists()
    # the sending school no longer sees it; the receiving school's triagers do, as new
    assert sender.get(f"/intake/reports/{report.pk}/").status_code == 404
    assert f"#{report.pk}" not in sender.get("/intake/").content.decode()
    receiver = as_user(a2_safety)
    assert FORM["text"] in receiver.get(f"/intake/reports/{report.pk}/").content.decode()
    assert f"#{report.pk}" in receiver.get("/intake/?state=new").content.decode()
    assert a2_safety.notifications.filter(kind="intake_transfer").exists()
    # the reporter's follow-up code still opens it where they wrote
    assert services.find_by_code(world.school_a1, submitted.code) == report


def test_a_hand_over_needs_a_reason(world, submitted):
    with pytest.raises(Exception, match="移交理由"):
        transfer.transfer(
            submitted.report, by=world.user[Role.SAFETY_LEADER], reason="", to_school=world.school_a2
        )
    assert Report.objects.get(pk=submitted.report.pk).school_id == world.school_a1.pk


def test_no_hand_over_to_a_school_of_another_county(world, submitted):
    with pytest.raises(Exception, match="本县"):
        transfer.transfer(
            submitted.report,
            by=world.user[Role.SAFETY_LEADER],
            reason="另一县的学校",
            to_school=world.school_b1,
        )


def test_a_report_linked_to_our_students_cannot_be_handed_away(world, submitted):
    services.link_students(
        submitted.report, by=world.user[Role.SAFETY_LEADER], links=[(world.student_own, "victim")]
    )
    with pytest.raises(Exception, match="已关联本校学生"):
        transfer.transfer(
            submitted.report, by=world.user[Role.SAFETY_LEADER], reason="不是本校", to_school=world.school_a2
        )


def test_handed_up_to_the_county_it_waits_in_the_county_inbox(world, as_user, submitted, a2_safety):
    report = submitted.report
    sender = as_user(world.user[Role.SAFETY_LEADER])
    r = sender.post(
        f"/intake/reports/{report.pk}/transfer/", {"school": "", "reason": "举报人说的学校不在本县名单"}
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.at_county and report.status == Status.NEW
    assert sender.get(f"/intake/reports/{report.pk}/").status_code == 404
    bureau = world.user[Role.BUREAU_SAFETY]
    assert bureau.notifications.filter(kind="intake_county_inbox").exists()
    c = as_user(bureau)
    assert f"#{report.pk}" in c.get("/intake/county/inbox/").content.decode()
    before = AuditEvent.objects.filter(action="read", object_type="intake.report").count()
    assert FORM["text"] in c.get(f"/intake/county/inbox/{report.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="read", object_type="intake.report").count() == before + 1
    # the bureau hands it on to the right school
    r = c.post(
        f"/intake/county/inbox/{report.pk}/", {"school": world.school_a2.pk, "reason": "核实为习岗小学"}
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert (report.school_id, report.at_county) == (world.school_a2.pk, False)
    assert f"#{report.pk}" not in c.get("/intake/county/inbox/").content.decode()
    assert as_user(a2_safety).get(f"/intake/reports/{report.pk}/").status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_only_the_bureau_safety_staff_open_the_county_inbox(world, as_user, submitted, role):
    transfer.transfer(submitted.report, by=world.user[Role.SAFETY_LEADER], reason="不知道是哪所学校")
    c = as_user(world.user[role])
    inbox = c.get("/intake/county/inbox/")
    detail = c.get(f"/intake/county/inbox/{submitted.report.pk}/")
    api = c.get("/api/v1/intake/county-inbox/")
    if role == Role.BUREAU_SAFETY:
        assert inbox.status_code == 200 and detail.status_code == 200
        assert api.json()["count"] == 1
    else:
        assert inbox.status_code == 403 and detail.status_code == 403
        assert api.status_code == 403
        assert FORM["text"] not in detail.content.decode()
    # no school post reads it through the school inbox either, the sender included
    if role in (Role.PRINCIPAL, Role.SAFETY_LEADER, Role.MIDDLE_MANAGER):
        assert c.get(f"/intake/reports/{submitted.report.pk}/").status_code == 404


def test_the_county_inbox_of_another_county_is_out_of_reach(world, as_user, submitted):
    transfer.transfer(submitted.report, by=world.user[Role.SAFETY_LEADER], reason="不知道是哪所学校")
    c = as_user(world.user_b[Role.BUREAU_SAFETY])
    assert c.get(f"/intake/county/inbox/{submitted.report.pk}/").status_code == 404
    assert c.get("/api/v1/intake/county-inbox/").json()["count"] == 0
    assert c.get(f"/api/v1/intake/county-inbox/{submitted.report.pk}/").status_code == 404


def test_transfer_and_hand_on_through_the_api(world, as_user, submitted, a2_safety):
    report = submitted.report
    c = as_user(world.user[Role.MIDDLE_MANAGER])
    r = c.post(
        f"/api/v1/intake/reports/{report.pk}/transfer/",
        {"school": None, "reason": "不是本校的事"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert c.get(f"/api/v1/intake/reports/{report.pk}/").status_code == 404
    b = as_user(world.user[Role.BUREAU_SAFETY])
    assert b.get(f"/api/v1/intake/county-inbox/{report.pk}/").json()["text"] == FORM["text"]
    assert b.get("/api/v1/intake/reports/").status_code == 403  # the school inbox stays closed
    r = b.post(
        f"/api/v1/intake/county-inbox/{report.pk}/hand-on/",
        {"school": world.school_a2.pk, "reason": "核实为习岗小学"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert as_user(a2_safety).get(f"/api/v1/intake/reports/{report.pk}/").status_code == 200
