"""Registers (R-SCR-2, R-SCR-3): the vulnerability register seeded from the roster and kept
by hand; the bullying-tendency register with grounds and reviews, fed by confirmed cases;
重点盯防 alerts; exports; the county's counts without names."""

import datetime as dt
import io
import types

import pytest
from django.core.exceptions import ValidationError
from django.dispatch import Signal
from openpyxl import load_workbook

from anxin.core import clock
from anxin.core.models import AuditEvent, Notification
from anxin.screening import receivers, services
from anxin.screening.models import RiskSignal, TendencyEntry, VulnerabilityCategory, VulnerabilityEntry


class Obj:
    """Stands in for another app's record (a case, report or concern)."""

    def __init__(self, label, pk, **attrs):
        app, model = label.split(".")
        self._meta = types.SimpleNamespace(label_lower=label, model_name=model, app_label=app)
        self.pk = pk
        self.__dict__.update(attrs)


def active(student):
    return set(
        VulnerabilityEntry.objects.filter(student=student, ended_on__isnull=True).values_list(
            "category__code", flat=True
        )
    )


def test_default_categories_include_the_seeds_three_and_configurable_ones(world):
    cats = services.ensure_categories(world.county_a.pk)
    assert {
        "left_behind",
        "introvert",
        "poverty",
        "single_parent",
        "disability",
        "migrant",
        "past_victim",
    } <= set(cats)
    assert {c.name for c in cats.values() if c.builtin} == {"留守儿童", "性格内向", "家境困难"}


def test_roster_flags_seed_the_register_and_clearing_a_flag_ends_it(world):
    st = world.student_own
    st.left_behind, st.migrant, st.orphan, st.needs_aid = "1", True, True, True
    st.save()
    assert active(st) == {"left_behind", "migrant", "orphan", "poverty"}
    st.migrant = False
    st.save()
    assert active(st) == {"left_behind", "orphan", "poverty"}
    ended = VulnerabilityEntry.objects.get(student=st, category__code="migrant")
    assert ended.ended_on == clock.today() and ended.source == "roster"


def test_a_manual_entry_is_not_ended_by_the_roster(world):
    cats = services.ensure_categories(world.county_a.pk)
    services.add_vulnerability(
        by=world.user["class_teacher"],
        student=world.student_own,
        category=cats["poverty"],
        note="父亲长期患病",
    )
    services.sync_roster_flags(student_ids=[world.student_own.pk])
    assert active(world.student_own) == {"poverty"}


def test_bulk_sync_for_a_county_is_idempotent(world):
    from anxin.roster.models import Student

    Student.objects.filter(pk=world.student_other_class.pk).update(left_behind="2")
    assert services.sync_roster_flags(county_id=world.county_a.pk) == {"added": 1, "ended": 0}
    assert services.sync_roster_flags(county_id=world.county_a.pk) == {"added": 0, "ended": 0}


def test_class_teacher_registers_own_class_only(world, as_user):
    cats = services.ensure_categories(world.county_a.pk)
    c = as_user(world.user["class_teacher"])
    r = c.post(
        "/screening/vulnerable/new/", {"student": world.student_own.pk, "category": cats["introvert"].pk}
    )
    assert r.status_code == 302
    r = c.post(
        "/screening/vulnerable/new/",
        {"student": world.student_other_class.pk, "category": cats["introvert"].pk},
    )
    assert r.status_code == 200 and "没有找到该学生" in r.content.decode()
    assert active(world.student_other_class) == set()
    denied = AuditEvent.objects.get(action="denied", object_id=str(world.student_other_class.pk))
    assert denied.object_type == "roster.student" and denied.data["purpose"] == "screening"


def test_duplicate_entry_is_refused_in_chinese(world):
    cats = services.ensure_categories(world.county_a.pk)
    services.add_vulnerability(
        by=world.user["safety_leader"], student=world.student_own, category=cats["introvert"]
    )
    with pytest.raises(ValidationError, match="已在此类别"):
        services.add_vulnerability(
            by=world.user["safety_leader"], student=world.student_own, category=cats["introvert"]
        )


def test_ending_an_entry_needs_a_reason_and_keeps_it(world, as_user):
    cats = services.ensure_categories(world.county_a.pk)
    e = services.add_vulnerability(
        by=world.user["safety_leader"], student=world.student_own, category=cats["introvert"]
    )
    c = as_user(world.user["safety_leader"])
    assert c.post(f"/screening/vulnerable/{e.pk}/end/", {"end_reason": ""}).status_code == 200
    e.refresh_from_db()
    assert e.ended_on is None
    c.post(f"/screening/vulnerable/{e.pk}/end/", {"end_reason": "已融入班集体"})
    e.refresh_from_db()
    assert e.ended_on and e.end_reason == "已融入班集体"


def test_bureau_configures_categories_but_cannot_switch_off_the_seeds_three(world):
    cats = services.ensure_categories(world.county_a.pk)
    new = services.save_category(
        by=world.user["bureau_admin"], county=world.county_a, code="divorce", name="父母离异"
    )
    assert new.active
    with pytest.raises(ValidationError, match="不能停用"):
        services.save_category(
            by=world.user["bureau_safety"],
            county=world.county_a,
            code="left_behind",
            name="留守儿童",
            active=False,
            category=cats["left_behind"],
        )


def test_school_roles_cannot_configure_categories(world, as_user):
    r = as_user(world.user["safety_leader"]).post(
        "/screening/categories/new/", {"code": "x", "name": "x", "position": 1, "active": "on"}
    )
    assert r.status_code == 403
    assert not VulnerabilityCategory.objects.filter(code="x").exists()


# --- bullying-tendency register ----------------------------------------------------------------


def test_tendency_entry_has_grounds_and_a_review_date(world, as_user):
    r = as_user(world.user["safety_leader"]).post(
        "/screening/tendency/new/", {"student": world.student_own.pk, "grounds": "课间多次推搡同学"}
    )
    assert r.status_code == 302
    e = TendencyEntry.objects.get()
    assert "课间多次推搡同学" in e.grounds
    assert e.review_due == clock.today() + dt.timedelta(days=services.TENDENCY_REVIEW_DAYS)


@pytest.mark.parametrize("role", ["class_teacher", "counsellor", "principal", "subject_teacher"])
def test_only_safety_leader_and_middle_manager_put_students_on_the_tendency_register(world, as_user, role):
    r = as_user(world.user[role]).post(
        "/screening/tendency/new/", {"student": world.student_own.pk, "grounds": "x"}
    )
    assert r.status_code == 403
    assert not TendencyEntry.objects.exists()


def test_review_keeps_watching_or_closes(world, as_user):
    e = services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    c = as_user(world.user["middle_manager"])
    r = c.post(f"/screening/tendency/{e.pk}/", {"outcome": "keep", "note": "仍有言语冲突"})
    assert "继续盯防须确定晚于今天的下次复核日期" in r.content.decode()
    nxt = clock.today() + dt.timedelta(days=30)
    c.post(
        f"/screening/tendency/{e.pk}/",
        {"outcome": "keep", "note": "仍有言语冲突", "next_review": nxt.isoformat()},
    )
    e.refresh_from_db()
    assert e.review_due == nxt and e.last_reviewed_on == clock.today() and e.reviews.count() == 1
    c.post(f"/screening/tendency/{e.pk}/", {"outcome": "close", "note": "一学期无再犯"})
    e.refresh_from_db()
    assert e.status == "closed" and e.closed_reason == "一学期无再犯"


def test_confirmed_case_adds_bullies_to_the_register_once_and_victims_as_past_victims(world):
    case = Obj("cases.bullyingcase", 41, place="厕所")
    for _ in range(2):  # a repeated signal changes nothing
        services.on_bullying_confirmed(
            case=case, bullies=[world.student_own], victims=[world.student_other_class]
        )
    e = TendencyEntry.objects.get(student=world.student_own)
    assert e.source == "case" and e.case_ids == [41] and "41" in e.grounds
    assert active(world.student_other_class) == {"past_victim"}
    assert RiskSignal.objects.filter(student=world.student_other_class, kind="confirmed_victim").count() == 1


def test_a_second_case_adds_its_grounds_to_the_active_entry(world):
    services.on_bullying_confirmed(case=Obj("cases.bullyingcase", 1), bullies=[world.student_own], victims=[])
    services.on_bullying_confirmed(case=Obj("cases.bullyingcase", 2), bullies=[world.student_own], victims=[])
    e = TendencyEntry.objects.get(student=world.student_own)
    assert e.case_ids == [1, 2] and e.grounds.count("认定实施欺凌") == 2


def test_receivers_connect_to_the_other_apps_signals_when_they_exist(world, monkeypatch):
    fake = types.ModuleType("anxin.cases.signals")
    fake.bullying_confirmed = Signal()
    monkeypatch.setitem(__import__("sys").modules, "anxin.cases.signals", fake)
    assert receivers._connect_optional(
        "anxin.cases.signals", "bullying_confirmed", services.on_bullying_confirmed
    )
    fake.bullying_confirmed.send(
        sender=None, case=Obj("cases.bullyingcase", 9), bullies=[world.student_own], victims=[]
    )
    assert TendencyEntry.objects.filter(student=world.student_own).exists()
    assert not receivers._connect_optional("anxin.nowhere.signals", "x", services.on_bullying_confirmed)


def test_watch_alert_tells_the_safety_leader_once_per_source(world):
    services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    concern = Obj("intake.concern", 5, place="操场")
    for _ in range(2):
        services.on_students_named(
            school=world.school_a1,
            students=[world.student_own, world.student_other_class],
            source_obj=concern,
        )
    notes = Notification.objects.filter(kind="watch_alert")
    assert notes.count() == 1
    n = notes.get()
    assert n.recipient == world.user["safety_leader"]
    assert world.student_own.name not in n.title + n.body  # no names in what may go out by e-mail
    assert n.url == f"/screening/tendency/{TendencyEntry.objects.get().pk}/"
    services.on_case_party_added(
        case=Obj("cases.bullyingcase", 3), student=world.student_own, role="alleged_bully"
    )
    assert Notification.objects.filter(kind="watch_alert").count() == 2
    assert RiskSignal.objects.filter(student=world.student_own, kind="case_bully").exists()


def test_no_alert_for_students_not_watched_or_for_the_case_that_listed_them(world):
    services.on_students_named(
        school=world.school_a1, students=[world.student_own], source_obj=Obj("intake.report", 1)
    )
    services.on_bullying_confirmed(case=Obj("cases.bullyingcase", 8), bullies=[world.student_own], victims=[])
    services.on_case_party_added(
        case=Obj("cases.bullyingcase", 8), student=world.student_own, role="alleged_bully"
    )
    assert not Notification.objects.filter(kind="watch_alert").exists()


def test_watched_students_lists_the_active_register(world):
    services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    assert services.watched_students(world.school_a1) == {world.student_own.pk}
    assert services.watched_students(world.school_a2.pk) == set()


# --- exports and the county's view ------------------------------------------------------------


def _sheet(response):
    wb = load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in wb.worksheets[0].iter_rows()]


def test_registers_export_as_xlsx(world, as_user):
    cats = services.ensure_categories(world.county_a.pk)
    services.add_vulnerability(
        by=world.user["safety_leader"], student=world.student_own, category=cats["introvert"]
    )
    services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="=HYPERLINK(1)")
    c = as_user(world.user["safety_leader"])
    rows = _sheet(c.get("/screening/vulnerable/?format=xlsx"))
    assert rows[0][:4] == ["学校", "班级", "学生", "类别"] and rows[1][2:4] == ["张小明", "性格内向"]
    rows = _sheet(c.get("/screening/tendency/?format=xlsx"))
    assert rows[1][2] == "张小明" and not str(rows[1][3]).startswith("=")
    assert AuditEvent.objects.filter(action="export", object_type="screening.tendencyentry").exists()


def test_class_teacher_cannot_export_the_registers(world, as_user):
    assert as_user(world.user["class_teacher"]).get("/screening/tendency/?format=xlsx").status_code == 403


@pytest.mark.parametrize("role", ["bureau_safety", "supervisor"])
def test_bureau_sees_counts_by_school_and_category_but_no_names(world, as_user, role):
    cats = services.ensure_categories(world.county_a.pk)
    services.add_vulnerability(
        by=world.user["safety_leader"], student=world.student_own, category=cats["introvert"]
    )
    services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    c = as_user(world.user[role])
    body = c.get("/screening/counts/").content.decode()
    assert world.school_a1.name in body and "性格内向" in body
    assert world.student_own.name not in body
    drill = c.get(f"/screening/counts/{world.school_a1.pk}/").content.decode()
    assert "初一1班" in drill and world.student_own.name not in drill
    for url in (
        "/screening/vulnerable/",
        "/screening/tendency/",
        "/screening/risk/",
        f"/screening/tendency/{TendencyEntry.objects.get().pk}/",
    ):
        assert c.get(url).status_code in (403, 404), url
    api = c.get("/api/v1/screening/counts/").json()
    row = next(x for x in api if x["school"] == world.school_a1.pk)
    assert row["vulnerable"] == 1 and row["tendency"] == 1 and row["by_category"] == {"introvert": 1}
    assert world.student_own.name not in str(api)
    for url in ("/api/v1/screening/vulnerable/", "/api/v1/screening/tendency/", "/api/v1/screening/risk/"):
        assert c.get(url).status_code == 403, url


def test_bureau_counts_export_has_no_names(world, as_user):
    services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    rows = _sheet(as_user(world.user["bureau_safety"]).get("/screening/counts/?format=xlsx"))
    assert world.student_own.name not in str(rows) and rows[0][0] == "学校"


def test_supervisor_counts_cover_only_assigned_schools(world, as_user):
    body = as_user(world.user["supervisor"]).get("/screening/counts/").content.decode()
    assert world.school_a1.name in body and world.school_a2.name not in body
    assert (
        as_user(world.user["supervisor"]).get(f"/screening/counts/{world.school_a2.pk}/").status_code == 404
    )


def test_other_county_sees_nothing(world, as_user):
    services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    body = as_user(world.user_b["bureau_safety"]).get("/screening/counts/").content.decode()
    assert world.school_a1.name not in body
    r = as_user(world.user_b["safety_leader"]).get(f"/screening/tendency/{TendencyEntry.objects.get().pk}/")
    assert r.status_code == 404


def test_a_student_who_moves_school_takes_open_entries_along(world, as_user):
    cats = services.ensure_categories(world.county_a.pk)
    services.add_vulnerability(
        by=world.user["safety_leader"], student=world.student_own, category=cats["introvert"]
    )
    services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    st = world.student_own
    st.school, st.klass = world.school_a2, world.class_a2_1
    st.save()
    assert set(VulnerabilityEntry.objects.filter(student=st).values_list("school_id", flat=True)) == {
        world.school_a2.pk
    }
    assert TendencyEntry.objects.get(student=st).school_id == world.school_a2.pk
    assert (
        world.student_own.name
        not in as_user(world.user["safety_leader"]).get("/screening/tendency/").content.decode()
    )


def test_nightly_refresh_catches_up_roster_flags_written_in_bulk(world):
    from anxin.roster.models import Student
    from anxin.screening.tasks import nightly_risk_refresh

    Student.objects.filter(pk=world.student_own.pk).update(orphan=True)
    nightly_risk_refresh.call_local()
    assert active(world.student_own) == {"orphan"}
