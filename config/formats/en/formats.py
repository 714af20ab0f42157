"""Django's en formats, plus the Chinese date inputs (a teacher may browse in English)."""

from django.conf.locale.en.formats import *  # noqa: F403
from django.conf.locale.en.formats import DATE_INPUT_FORMATS as _EN_DATES
from django.conf.locale.en.formats import DATETIME_INPUT_FORMATS as _EN_DATETIMES

from config.formats.zh_Hans.formats import DATE_INPUT_FORMATS as _ZH_DATES
from config.formats.zh_Hans.formats import DATETIME_INPUT_FORMATS as _ZH_DATETIMES

DATE_INPUT_FORMATS = [*_ZH_DATES, *(f for f in _EN_DATES if f not in _ZH_DATES)]
DATETIME_INPUT_FORMATS = [*_ZH_DATETIMES, *(f for f in _EN_DATETIMES if f not in _ZH_DATETIMES)]
