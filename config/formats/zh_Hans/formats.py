"""Django's zh_Hans formats, with date inputs teachers type: 2026-12-04, 2026/12/4, 2026.12.4
and 2026年12月4日 (Django's own pattern for the last one uses %n/%j, which strptime reads as
whitespace and day-of-year, so it never matched)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
DATETIME_INPUT_FORMATS = [
    f"{d}{sep}{t}" for d in DATE_INPUT_FORMATS for sep in (" ", "T") for t in ("%H:%M", "%H:%M:%S")
]
