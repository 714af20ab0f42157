"""Menus fit the job (issue 11): each role's menu, pinned. A class teacher's menu holds what a
class teacher does; the school's administration (学校, 跨校查阅申请, API 令牌, 隐患点台账 …)
is in the menus of those who run it. Pages stay reachable where the permission allows."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from anxin.core.context_processors import shell
from anxin.core.roles import Role

pytestmark = pytest.mark.django_db


def menu(user) -> list[str]:
    request = RequestFactory().get("/home/")
    request.user = user
    request.resolver_match = None
    request.session = {}
    return [str(it["label"]) for items in shell(request)["nav_sections"].values() for it in items]


ADMINISTRATION = {"学校", "跨校查阅申请", "API 令牌", "隐患点台账", "监控摄像头"}

PINNED = {
    Role.CLASS_TEACHER: [
        "工作台",
        "反映情况",
        "登记来电来访",
        "我登记的",
        "事件台账",
        "概览",
        "排查轮次",
        "同学关系问卷",
        "学生风险等级",
        "弱势学生台账",
        "欺凌倾向台账",
        "关爱对象",
        "干预任务",
        "心理辅导",
        "师生联系与家校互通",
        "班级",
        "岗位责任清单",
        "学生安全员",
        "学生",
        "案例警示",  # governance: lessons from incidents, to study
        "我的监督岗",  # oversight: the teacher's own shifts on a 监督岗
        "教育培训活动",  # education: trainings and lessons the teacher attends or holds
        "我的工作记录",  # education: the teacher's own record for the 考评
    ],
    Role.SUBJECT_TEACHER: [
        "工作台",
        "反映情况",
        "登记来电来访",
        "我登记的",
        "概览",
        "班级",
        "岗位责任清单",
        "学生安全员",
        "学生",
        "案例警示",  # governance: lessons from incidents, to study
        "我的监督岗",  # oversight: the teacher's own shifts on a 监督岗
        "教育培训活动",  # education: trainings and lessons the teacher attends or holds
        "我的工作记录",  # education: the teacher's own record for the 考评
    ],
    Role.LEGAL_VP: [
        "工作台",
        "事件台账",
        "联合检查",  # supervision: joint inspections with police, justice, market regulation
        "联动转介",
        "联动单位",
        "学校",
        "跨校查阅申请",
        "教育培训活动",  # education: the 法治副校长 records the law lessons given in person
    ],
}


@pytest.mark.parametrize("role", [Role.CLASS_TEACHER, Role.SUBJECT_TEACHER, Role.COUNSELLOR])
def test_teachers_menus_hold_no_school_administration(world, role):
    labels = set(menu(world.user[role]))
    assert "工作台" in labels and "反映情况" in labels
    assert not labels & ADMINISTRATION, labels & ADMINISTRATION


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.SAFETY_LEADER])
def test_school_leaders_keep_the_administration(world, role):
    labels = set(menu(world.user[role]))
    assert {"学校", "API 令牌", "隐患点台账", "跨校查阅申请"} <= labels


@pytest.mark.parametrize("role", list(PINNED))
def test_menus_are_pinned(world, role):
    assert menu(world.user[role]) == PINNED[role]


def test_a_hidden_entry_shows_for_someone_who_also_holds_a_managing_post(world):
    from anxin.accounts.models import Membership

    teacher = world.user[Role.CLASS_TEACHER]
    Membership.objects.create(
        user=teacher, role=Role.MIDDLE_MANAGER, county=world.county_a, school=world.school_a1
    )
    from anxin.core import policy

    if hasattr(policy, "_memberships_cache"):
        policy._memberships_cache.clear()
    labels = set(menu(teacher))
    assert "学校" in labels  # a 德育主任 who also teaches a class sees the school's pages


def test_the_school_switcher_lists_the_county_and_marks_the_chosen_school(world, as_user):
    """The switcher's options are built in Python (core.context_processors): every school of
    the county, the chosen one selected, names escaped; 全县 when none is chosen."""
    import re

    from django.urls import reverse

    c = as_user(world.user[Role.BUREAU_SAFETY])
    select = re.compile(r'<select id="school-switch".*?</select>', re.S)
    html = select.search(c.get(reverse("core:home")).content.decode()).group(0)
    assert (
        " selected" not in html
        and f'<option value="{world.school_a2.pk}">{world.school_a2.name}</option>' in html
    )
    assert world.school_b1.name not in html  # another county's school
    c.post(reverse("core:switch_school"), {"school": world.school_a2.pk})
    html = select.search(c.get(reverse("core:home")).content.decode()).group(0)
    assert html.count(" selected") == 1 and f'<option value="{world.school_a2.pk}" selected>' in html
