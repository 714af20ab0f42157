"""load_demo, demo_logins and demo_totp (the demo county 贺兰县, R-ORG-1…4)."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from anxin.accounts.middleware import needs_password_change
from anxin.accounts.models import Membership, User
from anxin.core.models import AuditEvent
from anxin.core.roles import ROLE_SCOPE, Role, ScopeLevel
from anxin.core.validators import is_valid_resident_id
from anxin.demo import data
from anxin.org.models import County, Grade, Responsibility, SafetyOfficer, School, SchoolClass
from anxin.roster.models import Guardian, Placement, Student, id_index_for

N = 300  # students: small, so the tests stay fast


def load(*args, students=N, activity=False) -> str:
    """The organisation and roster only, unless ``activity``: the modules' own demo work is
    tested in test_demo_activity_goes_through_each_module_services."""
    out = StringIO()
    extra = [] if activity else ["--cases", "0", "--no-activity"]
    call_command("load_demo", "--students", str(students), *extra, *args, stdout=out)
    return out.getvalue()


def fingerprint() -> str:
    rows = sorted(
        Student.objects.values_list(
            "name", "id_index", "birth_date", "sex", "ethnicity", "klass__grade__year", "school__code"
        )
    )
    users = sorted(User.objects.values_list("username", "real_name", "phone"))
    return hashlib.sha256(repr((rows, users)).encode()).hexdigest()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo county loaded once for this module, rolled back afterwards."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            load()
            yield County.objects.get(code=data.COUNTY_CODE)
            transaction.set_rollback(True)


# --- determinism, --if-empty and refusal ---------------------------------------------------
def test_load_demo_is_deterministic_for_a_seed(db):
    with transaction.atomic():
        load("--seed", "7")
        first = fingerprint()
        transaction.set_rollback(True)
    assert not County.objects.exists()
    with transaction.atomic():
        load("--seed", "7")
        assert fingerprint() == first
        assert Student.objects.count() == N
        transaction.set_rollback(True)
    load("--seed", "8")
    assert fingerprint() != first  # the seed does matter


def test_load_demo_if_empty_is_a_no_op_on_second_run(demo, db):
    before = (Student.objects.count(), User.objects.count(), AuditEvent.objects.count())
    out = load("--if-empty")
    assert "跳过" in out
    assert (Student.objects.count(), User.objects.count(), AuditEvent.objects.count()) == before


def test_load_demo_refuses_when_data_exists_without_if_empty(demo, db):
    with pytest.raises(CommandError, match="flush"):
        load()
    assert County.objects.filter(code=data.COUNTY_CODE).count() == 1


def test_load_appends_one_demo_load_audit_event_and_no_per_row_events(demo, db):
    events = AuditEvent.objects.all()
    assert [e.action for e in events] == ["demo.load"]
    assert events[0].data["counts"]["roster.student"] == N


# --- organisation (R-ORG-1) ----------------------------------------------------------------
def test_demo_county_has_25_schools_including_the_three_vocational_addressees(demo, db):
    schools = School.objects.filter(county=demo)
    assert schools.count() >= 25
    assert demo.bureau_name == "贺兰县教育体育局"
    assert set(demo.offices.values_list("name", flat=True)) == {"综合办", "安全股", "教育督导室"}
    types = dict(schools.values_list("name", "type"))
    assert types["宁夏交通学校"] == "vocational"
    assert types["宁夏青松技工学校"] == "technical"
    assert types["宁夏轨道交通高级技工学校"] == "technical"
    assert {"primary", "junior", "nine_year", "senior", "complete"} <= set(types.values())
    assert {"习岗镇", "金贵镇", "立岗镇", "洪广镇", "常信乡"} <= set(schools.values_list("town", flat=True))
    assert schools.filter(boarding=True).exists() and schools.filter(boarding=False).exists()
    for s in schools:
        assert re.fullmatch(r"\d{10}", s.code)
        assert re.fullmatch(r"0951-8\d{6}", s.antibullying_phone)
        assert s.antibullying_email and re.fullmatch(r"1\d{10}", s.safety_leader_phone)


def test_grades_have_the_right_stage_and_year(demo, db):
    expected = {
        "primary": {"primary": range(1, 7)},
        "junior": {"junior": range(7, 10)},
        "nine_year": {"primary": range(1, 7), "junior": range(7, 10)},
        "senior": {"senior": range(10, 13)},
        "complete": {"junior": range(7, 10), "senior": range(10, 13)},
        "vocational": {"vocational": range(10, 13)},
        "technical": {"vocational": range(10, 13)},
    }
    for school in School.objects.filter(county=demo):
        got: dict[str, set[int]] = {}
        for stage, year in Grade.objects.filter(school=school).values_list("stage", "year"):
            got.setdefault(stage, set()).add(year)
        assert got == {k: set(v) for k, v in expected[school.type].items()}, school.name
    assert set(Grade.objects.filter(school__name="宁夏交通学校").values_list("name", flat=True)) == {
        "一年级",
        "二年级",
        "三年级",
    }
    assert SchoolClass.objects.filter(school__name="贺兰县第一中学", grade__name="初一", name="1班").exists()


# --- students ------------------------------------------------------------------------------
def test_every_generated_id_number_is_valid_and_matches_birth_date_and_sex(demo, db):
    students = list(Student.objects.select_related("klass__grade"))
    assert len(students) == N
    for st in students:
        idn = st.id_number
        assert is_valid_resident_id(idn), idn
        assert idn[6:14] == st.birth_date.strftime("%Y%m%d")
        assert (int(idn[16]) % 2 == 1) == (st.sex == "1")
        assert st.student_no == "G" + idn
        assert st.id_index == id_index_for(st.id_type, idn)
        # age fits the grade: born Sept (Y-year-6) … Aug (Y-year-5), a year older at most
        year = st.klass.grade.year
        assert (
            date(data.SCHOOL_YEAR - year - 7, 9, 1)
            <= st.birth_date
            <= date(data.SCHOOL_YEAR - year - 5, 8, 31)
        )
        assert st.ethnicity in {"01", "02", "03", "04", "11", "15", "26"}
        assert st.school_id == st.klass.school_id
    assert len({st.id_index for st in students}) == N
    local = sum(st.id_number.startswith(data.COUNTY_CODE) for st in students)
    assert local > N * 0.7  # mostly born in 贺兰县; some migrants and vocational students not


def test_every_student_has_a_guardian_and_one_open_placement(demo, db):
    assert not Student.objects.annotate(g=Count("guardians")).filter(g=0).exists()
    assert not Student.objects.annotate(g=Count("guardians")).filter(g__gt=2).exists()
    open_placements = Placement.objects.filter(ended_on__isnull=True)
    assert open_placements.count() == N
    assert not open_placements.exclude(klass_id=F("student__klass_id")).exists()
    assert not Guardian.objects.filter(Q(phone="") | Q(relation="")).exists()
    assert Guardian.objects.filter(is_guardian=True).values("student").distinct().count() == N


def test_vulnerability_flags_occur_in_the_demo(demo, db):
    # the default 8000 has all of them; 300 still shows the common ones
    assert Student.objects.exclude(left_behind="0").exists()
    assert Student.objects.filter(needs_aid=True).exists()
    assert Student.objects.filter(ethnicity="03").exists()
    assert Student.objects.filter(migrant=True).exists()


# --- staff, posts and the responsibility matrix (R-ORG-2…4) --------------------------------
def test_every_role_has_an_account(demo, db):
    held = set(Membership.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    for login in data.DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.memberships.filter(role=login.role).exists(), login.username
    assert {d.role for d in data.DEMO_LOGINS} == set(Role.values)


def test_memberships_are_held_at_their_roles_scope(demo, db):
    for m in Membership.objects.select_related("klass", "school"):
        m.full_clean()  # Membership.clean: class roles have a class of the same school, etc.
        level = ROLE_SCOPE[m.role]
        assert (m.klass_id is not None) == (level == ScopeLevel.CLASS), m
        assert m.started_on < date.today()


def test_one_person_holds_two_posts(demo, db):
    deyu = User.objects.get(username="hl1z_deyu")
    posts = {
        (m.role, str(m.klass) if m.klass_id else "") for m in deyu.memberships.select_related("klass__grade")
    }
    assert posts == {(Role.MIDDLE_MANAGER, ""), (Role.CLASS_TEACHER, "初二2班")}


def test_every_class_has_a_class_teacher_and_subject_teachers_teach_2_to_4_classes(demo, db):
    taught = SchoolClass.objects.annotate(
        ct=Count("memberships", filter=Q(memberships__role=Role.CLASS_TEACHER))
    )
    assert not taught.exclude(ct=1).exists()
    per_teacher = Membership.objects.filter(role=Role.SUBJECT_TEACHER).values("user").annotate(n=Count("id"))
    assert per_teacher and all(2 <= row["n"] <= 4 for row in per_teacher)
    demo_teacher = User.objects.get(username="hl1z_teacher")
    assert "初一1班" in {str(m.klass) for m in demo_teacher.memberships.select_related("klass__grade")}


def test_county_posts_supervisors_and_legal_vps(demo, db):
    sup = Membership.objects.filter(role=Role.SUPERVISOR)
    assert 2 <= sup.values("user").distinct().count() <= 3
    assert sup.filter(user__username="demo_supervisor").count() >= 5
    legal = Membership.objects.filter(role=Role.LEGAL_VP, user__username="demo_legalvp")
    assert legal.count() >= 3 and {m.unit for m in legal} == {"贺兰县公安局习岗派出所"}
    units = set(Membership.objects.filter(role=Role.PARTNER_LIAISON).values_list("unit", flat=True))
    assert units == {"贺兰县公安局", "贺兰县人民检察院", "贺兰县人民法院"}


def test_staff_phones_are_unique_mobiles(demo, db):
    phones = list(User.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones))
    assert all(re.fullmatch(r"1\d{10}", p) for p in phones)


def test_responsibility_matrix_covers_most_schools_and_shows_gaps(demo, db):
    schools = School.objects.filter(county=demo)
    with_matrix = schools.filter(responsibilities__isnull=False).distinct()
    assert with_matrix.count() >= schools.count() - 3
    assert with_matrix.count() < schools.count()  # some schools have none yet
    hl1z = schools.get(name="贺兰县第一中学")
    duties = set(hl1z.responsibilities.values_list("duty", flat=True))
    assert {"overall", "safety", "psych", "class", "subject", "monitoring", "reporting"} <= duties
    assert hl1z.responsibilities.filter(duty="class").count() == hl1z.classes.count()
    gaps = [s for s in with_matrix if "psych" not in set(s.responsibilities.values_list("duty", flat=True))]
    assert gaps  # a missing duty somewhere
    # every accountable person holds a post at that school
    for r in Responsibility.objects.select_related("person"):
        assert r.person.memberships.filter(school_id=r.school_id).exists()


def test_safety_officers_are_students_of_their_class(demo, db):
    officers = SafetyOfficer.objects.select_related("student")
    assert officers.exists()
    for o in officers:
        assert o.student.klass_id == o.klass_id
    per_class = SafetyOfficer.objects.values("klass").annotate(n=Count("id"))
    assert all(1 <= row["n"] <= 2 for row in per_class)


def test_class_teacher_demo_login_sees_only_own_class(demo, db):
    user = User.objects.get(username="hl1z_ct_7_1")
    classes = set(Student.objects.restrict(user).values_list("klass__grade__name", "klass__name"))
    assert classes == {("初一", "1班")}


# --- passwords and second factor -----------------------------------------------------------
def test_demo_password_passes_the_password_validators(demo, db):
    for username in data.DEMO_USERNAMES:
        validate_password(data.DEMO_PASSWORD, user=User.objects.get(username=username))


def test_demo_accounts_log_in_without_a_forced_password_change(demo, db):
    for user in User.objects.filter(username__in=data.DEMO_USERNAMES):
        assert user.check_password(data.DEMO_PASSWORD)
        assert not needs_password_change(user)
    assert User.objects.values("password").distinct().count() == 1  # hashed once


def test_demo_principal_can_log_in_with_the_demo_password(demo, client):
    r = client.post(reverse("accounts:login"), {"username": "hl1z_principal", "password": data.DEMO_PASSWORD})
    assert r.status_code == 302
    assert r["Location"] != reverse("accounts:password_change")


def test_second_factor_roles_have_a_confirmed_demo_device(demo, db):
    from django.conf import settings

    for login in data.DEMO_LOGINS:
        devices = TOTPDevice.objects.filter(user__username=login.username, confirmed=True)
        assert devices.exists() == (login.role in settings.ANXIN_2FA_ROLES), login.username


def test_demo_totp_prints_a_code_that_django_otp_verifies(demo, db):
    out = StringIO()
    call_command("demo_totp", "demo_admin", stdout=out)
    code = re.search(r"当前动态口令：(\d{6})", out.getvalue()).group(1)
    secret = re.search(r"base32 密钥：([A-Z2-7]+)", out.getvalue()).group(1)
    device = TOTPDevice.objects.get(user__username="demo_admin")
    assert device.verify_token(code)
    assert secret == device.config_url.split("secret=")[1].split("&")[0]


def test_demo_totp_refuses_non_demo_accounts(demo, db):
    with pytest.raises(CommandError, match="不是演示账号"):
        call_command("demo_totp", "hl2z_principal", stdout=StringIO())
    with pytest.raises(CommandError, match="没有预置"):
        call_command("demo_totp", "hl1z_principal", stdout=StringIO())


def test_demo_logins_lists_one_login_per_role(demo, db):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for login in data.DEMO_LOGINS:
        assert login.username in text
        assert str(Role(login.role).label) in text
    assert data.DEMO_PASSWORD in text
    assert "demo_totp" in text


def test_demo_logins_and_the_login_page_show_where_the_public_pages_are(demo, client, settings):
    from anxin.org.models import School

    settings.SITE_URL = "http://192.168.1.20:9000"
    settings.ANXIN_DEMO = True
    flagship = School.objects.get(name=data.SCHOOLS[0].name)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert f"http://192.168.1.20:9000/s/{flagship.public_code}/report/" in out.getvalue()
    page = client.get(reverse("accounts:login")).content.decode()
    assert f"/s/{flagship.public_code}/report/" in page and "演示系统" in page
    settings.ANXIN_DEMO = False
    page = client.get(reverse("accounts:login")).content.decode()
    assert "/s/" not in page and "演示系统" not in page


def test_demo_admin_logs_in_with_the_demo_totp_code(demo, client):
    r = client.post(reverse("accounts:login"), {"username": "demo_admin", "password": data.DEMO_PASSWORD})
    assert r.status_code == 302
    r = client.get(reverse("core:home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:otp_verify"))
    out = StringIO()
    call_command("demo_totp", "demo_admin", stdout=out)
    code = re.search(r"当前动态口令：(\d{6})", out.getvalue()).group(1)
    r = client.post(reverse("accounts:otp_verify"), {"token": code})
    assert r.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_the_demo_password_is_in_every_accounts_history_so_a_b_a_is_refused(demo, db):
    from anxin.accounts import services
    from anxin.accounts.models import PasswordHistory

    users = User.objects.filter(memberships__school__county=demo).distinct()
    assert PasswordHistory.objects.filter(user__in=users).values("user").distinct().count() == users.count()
    principal = User.objects.get(username=data.DEMO_LOGINS[0].username)
    services.change_own_password(principal, "Qv8#tLm3Wz9k")  # A → B
    assert services.password_reuse_error(principal, data.DEMO_PASSWORD) is not None  # B → A refused
