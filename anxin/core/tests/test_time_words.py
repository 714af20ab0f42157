"""Time as teachers say it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from anxin.core.templatetags.anxin_time import ago

NOW = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("delta", "zh", "en"),
    [
        (dt.timedelta(seconds=20), "刚刚", "just now"),
        (dt.timedelta(minutes=5), "5分钟前", "5 minutes ago"),
        (dt.timedelta(hours=2, minutes=4), "2小时4分钟前", "2 hours, 4 minutes ago"),
        (dt.timedelta(days=3, hours=1), "3天1小时前", "3 days, 1 hour ago"),
    ],
)
def test_ago_reads_as_people_say_it(delta, zh, en):
    with translation.override("zh-hans"):
        assert ago(NOW - delta, NOW) == zh
    with translation.override("en"):
        assert ago(NOW - delta, NOW) == en


def test_nothing_for_no_time():
    assert ago(None) == ""
