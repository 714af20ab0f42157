"""Named personas and a small two-county world for tests (healthchecks' hc/test.py).

County A (贺兰县) has school A1 (初中, classes 初一1班 and 初一2班) and school A2 (小学);
county B (永宁县) has school B1. ``world.user[role]`` holds one account per role in county A,
scoped to A1 / 初一1班 where the role is school- or class-level; ``world.outsider`` has no post.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone

from anxin.core.roles import ROLE_SCOPE, Role, ScopeLevel

PASSWORD = "Test#Pass2026x"


@dataclass
class World:
    county_a: object = None
    county_b: object = None
    school_a1: object = None
    school_a2: object = None
    school_b1: object = None
    class_a1_1: object = None
    class_a1_2: object = None
    class_a2_1: object = None
    class_b1_1: object = None
    student_own: object = None  # A1 初一1班: the class teacher's own student
    student_other_class: object = None  # A1 初一2班
    student_other_school: object = None  # A2
    student_other_county: object = None  # B1
    user: dict = field(default_factory=dict)
    outsider: object = None
    user_b: dict = field(default_factory=dict)  # a few personas in county B


def _models(*labels: str) -> list:
    """Models of the apps above core, looked up in Django's registry: core imports no app."""
    return [apps.get_model(label) for label in labels]


def make_school(county, name, code, type_="junior", town="习岗镇"):
    School, Grade, SchoolClass = _models("org.School", "org.Grade", "org.SchoolClass")

    school = School.objects.create(
        county=county,
        name=name,
        code=code,
        type=type_,
        town=town,
        antibullying_phone="0951-8012345",
        antibullying_email="fqb@example.cn",
        safety_leader_phone="13900000001",
    )
    year, gname, stage = (
        (7, "初一", "junior")
        if type_ in ("junior", "nine_year", "complete")
        else ((3, "三年级", "primary") if type_ == "primary" else (10, "高一", "senior"))
    )
    grade = Grade.objects.create(county=county, school=school, name=gname, stage=stage, year=year)
    c1 = SchoolClass.objects.create(county=county, school=school, grade=grade, name="1班")
    c2 = SchoolClass.objects.create(county=county, school=school, grade=grade, name="2班")
    return school, c1, c2


def make_student(klass, name, n, **extra):
    Student, Guardian, Placement = _models("roster.Student", "roster.Guardian", "roster.Placement")

    st = Student.objects.create(
        county_id=klass.county_id,
        school_id=klass.school_id,
        klass=klass,
        name=name,
        sex="1",
        birth_date=dt.date(2012, 5, 1),
        student_no=f"G{640122201205010000 + n:018d}"[:19],
        **extra,
    )
    Guardian.objects.create(
        county_id=st.county_id,
        school_id=st.school_id,
        student=st,
        name=name[0] + "父",
        relation="父亲",
        phone=f"1390000{n:04d}",
        is_guardian=True,
    )
    Placement.objects.create(
        county_id=st.county_id,
        school_id=st.school_id,
        klass=klass,
        student=st,
        started_on=dt.date(2024, 9, 1),
    )
    return st


def make_user(username, county, role=None, school=None, klass=None, real_name=None):
    User, Membership = _models("accounts.User", "accounts.Membership")

    u = User(username=username, real_name=real_name or username, county=county, must_change_password=False)
    u.set_password(PASSWORD)
    u.save()
    if role:
        Membership.objects.create(
            user=u, role=role, county=county, school=school, klass=klass, started_on=dt.date(2024, 1, 1)
        )
    return u


def build_world() -> World:
    (County,) = _models("org.County")

    w = World()
    w.county_a = County.objects.create(name="贺兰县", code="640122", bureau_name="贺兰县教育体育局")
    w.county_b = County.objects.create(name="永宁县", code="640121", bureau_name="永宁县教育体育局")
    w.school_a1, w.class_a1_1, w.class_a1_2 = make_school(w.county_a, "贺兰县第一中学", "2164012201")
    w.school_a2, w.class_a2_1, _ = make_school(w.county_a, "贺兰县习岗小学", "2164012202", type_="primary")
    w.school_b1, w.class_b1_1, _ = make_school(w.county_b, "永宁县第一中学", "2164012101")
    w.student_own = make_student(w.class_a1_1, "张小明", 1)
    w.student_other_class = make_student(w.class_a1_2, "李小红", 2)
    w.student_other_school = make_student(w.class_a2_1, "王小刚", 3)
    w.student_other_county = make_student(w.class_b1_1, "赵小丽", 4)
    for role in Role.values:
        level = ROLE_SCOPE[role]
        school = w.school_a1 if level != ScopeLevel.COUNTY else None
        klass = w.class_a1_1 if level == ScopeLevel.CLASS else None
        w.user[role] = make_user(f"a_{role}", w.county_a, role, school, klass)
    for role in (Role.SAFETY_LEADER, Role.CLASS_TEACHER, Role.BUREAU_SAFETY, Role.AUDITOR):
        level = ROLE_SCOPE[role]
        w.user_b[role] = make_user(
            f"b_{role}",
            w.county_b,
            role,
            w.school_b1 if level != ScopeLevel.COUNTY else None,
            w.class_b1_1 if level == ScopeLevel.CLASS else None,
        )
    w.outsider = make_user("outsider", w.county_a)
    return w


def login(client, user) -> None:
    """Log in as a user has after a full login: session start time and, for roles that need
    it, a verified TOTP device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from anxin.core import policy

    client.force_login(user)
    session = client.session
    session["login_at"] = timezone.now().timestamp()
    policy.forget(user)
    if policy.needs_second_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def decryptions(monkeypatch) -> list[str]:
    """From now on, the plaintext of each decryption (``core.crypto.decrypt``), in order: for a
    test that a page leaves the secrets it does not show unread."""
    from anxin.core import crypto

    seen: list[str] = []
    real = crypto.decrypt

    def spy(token):
        seen.append(real(token))
        return seen[-1]

    monkeypatch.setattr(crypto, "decrypt", spy)
    return seen


def assert_plain_rows_match_drf(serializer_class, instances) -> list[dict]:
    """A serializer with ``core.api.PlainRows`` gives, for ``instances``, exactly what DRF's own
    ``to_representation`` gives (the same keys in the same order, the same values); returns
    the rows."""
    from rest_framework import serializers

    drf_own = type(
        "DrfOwn", (serializer_class,), {"to_representation": serializers.ModelSerializer.to_representation}
    )
    plain = [dict(row) for row in serializer_class(instances, many=True).data]
    own = [dict(row) for row in drf_own(instances, many=True).data]
    assert plain == own
    assert [list(row) for row in plain] == [list(row) for row in own]
    return plain
