"""``|stamp`` writes what ``|date`` writes for the numeric formats, in every language."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import translation

from anxin.core.templatetags.anxin_time import _STRFTIME

VALUES = [
    dt.datetime(2026, 12, 7, 15, 59, 30, tzinfo=dt.UTC),  # 23:59 in Shanghai
    dt.datetime(2026, 12, 31, 16, 0, 5, tzinfo=dt.UTC),  # the next day (and year) in Shanghai
    dt.datetime(2026, 3, 1, 8, 5),  # naive: as given
    dt.date(2026, 1, 9),
    dt.date(999, 1, 2),  # a mistyped year: |date pads it to four digits
    dt.datetime(26, 12, 7, 8, 0),
    None,
    "",
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("fmt", [*_STRFTIME, "n月j日", "Y年n月"])
def test_stamp_is_date(fmt, language):
    render = engines["django"].from_string
    stamp = render('{% load anxin_time %}{{ v|stamp:fmt }}|{{ v|stamp:fmt|default:"—" }}')
    date = render('{{ v|date:fmt }}|{{ v|date:fmt|default:"—" }}')
    with translation.override(language):
        for v in VALUES:
            ctx = {"v": v, "fmt": fmt}
            if type(v) is dt.date and "H" in fmt:  # a time of day asked of a date: refused alike
                for t in (stamp, date):
                    with pytest.raises(TypeError):
                        t.render(ctx)
                continue
            assert stamp.render(ctx) == date.render(ctx), (v, fmt)


def test_stamp_defaults_to_minutes():
    t = engines["django"].from_string("{% load anxin_time %}{{ v|stamp }}")
    assert t.render({"v": dt.datetime(2026, 12, 7, 15, 59, 30, tzinfo=dt.UTC)}) == "2026-12-07 23:59"
