"""R-Q-7 on the case page: it shows the version of the county's legal parameters the case was
opened under (its effective date and values), not the version in force today."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from anxin.cases import params
from anxin.core import clock
from anxin.core.roles import Role

DAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=clock.SHANGHAI)


def test_the_case_page_shows_the_parameter_version_the_case_was_opened_under(cw, new_case, mm, as_user):
    admin = cw.user[Role.BUREAU_ADMIN]
    with time_machine.travel(DAY, tick=False):
        before = new_case()
        params.set_version(
            by=admin,
            county_id=cw.county_a.pk,
            effective_from=clock.today(),
            values={"INVESTIGATION_DAYS": 5},
            reason="县教体局局务会议决定",
        )
        after = new_case()
        params.set_version(
            by=admin,
            county_id=cw.county_a.pk,
            effective_from=dt.date(2026, 11, 20),
            values={"INVESTIGATION_DAYS": 7},
            reason="再次调整",
        )
        client = as_user(mm)
        page = client.get(reverse("cases:case_detail", args=[after.pk])).content.decode()
        assert "适用的法定参数" in page
        assert "2026-11-02 起施行的版本" in page and "县教体局局务会议决定" in page
        assert "调查完成时限" in page and "5日" in page and "7日" not in page
        old = client.get(reverse("cases:case_detail", args=[before.pk])).content.decode()
        assert "尚未设置法定参数" in old and "10日" in old and "起施行的版本" not in old
