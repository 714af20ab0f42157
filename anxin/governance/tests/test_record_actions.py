"""举一反三 and 编写案例警示 offered on the case page and the rectification page (core.actions)."""

import datetime as dt
import re

from anxin.core import clock
from anxin.core.roles import Role


def _links(html):
    return set(re.findall(r'href="(/governance/[^"]+)"', html))


def test_closed_case_offers_improvement_to_the_school_and_lesson_to_the_bureau(world, as_user, closed_case):
    pk = closed_case.pk
    html = as_user(world.user[Role.SAFETY_LEADER]).get(f"/cases/{pk}/").content.decode()
    assert f"/governance/improvements/new/?case={pk}" in _links(html)
    assert not any("lessons/new" in u for u in _links(html))  # the school does not write lessons
    # the link opens the 举一反三 form on that case
    page = as_user(world.user[Role.SAFETY_LEADER]).get(f"/governance/improvements/new/?case={pk}")
    assert page.status_code == 200 and closed_case.number in page.content.decode()

    bureau = as_user(world.user[Role.BUREAU_SAFETY])
    html = bureau.get(f"/cases/{pk}/").content.decode()
    assert f"/governance/lessons/new/?case={pk}" in _links(html)
    assert not any("improvements/new" in u for u in _links(html))
    form = bureau.get(f"/governance/lessons/new/?case={pk}").content.decode()
    assert re.search(rf'<option value="{pk}" selected', form)

    # the class teacher reads the case but is offered neither
    html = as_user(world.user[Role.CLASS_TEACHER]).get(f"/cases/{pk}/").content.decode()
    assert not _links(html) & {
        f"/governance/improvements/new/?case={pk}",
        f"/governance/lessons/new/?case={pk}",
    }


def test_open_case_offers_nothing(world, as_user):
    from anxin.cases import scenarios

    case = scenarios.open_simple(
        world.school_a1,
        world.user[Role.MIDDLE_MANAGER],
        victim=world.student_own,
        bully=world.student_other_class,
    )
    html = as_user(world.user[Role.SAFETY_LEADER]).get(f"/cases/{case.pk}/").content.decode()
    assert "improvements/new" not in html


def test_rectification_offers_improvement(world, as_user):
    from anxin.screening import services

    item = services.save_rectification(
        by=world.user[Role.SAFETY_LEADER],
        school=world.school_a1,
        data={
            "problem": "围墙监控盲区",
            "measure": "加装摄像头",
            "owner": world.user[Role.MIDDLE_MANAGER],
            "due_date": clock.today() + dt.timedelta(days=7),
        },
    )
    html = as_user(world.user[Role.SAFETY_LEADER]).get(f"/screening/problems/{item.pk}/").content.decode()
    assert f"/governance/improvements/new/?rectification={item.pk}" in html
    # the bureau reads it (read-only page) but raises no 举一反三 at a school
    html = as_user(world.user[Role.BUREAU_SAFETY]).get(f"/screening/problems/{item.pk}/").content.decode()
    assert "improvements/new" not in html
