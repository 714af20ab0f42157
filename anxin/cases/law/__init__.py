"""The law as data (GUIDE principle 1; LAW.md).

Every table lives in its own module, one row per rule, each row citing its article, so a
lawyer can review them without reading the workflow code:

- :mod:`.sources`     — the legal sources and the short names rows cite them by
- :mod:`.definitions` — bullying, its five behaviour types, the determination results and
  the elements a finding must record (UPL 130; SPR 21)
- :mod:`.catalogue`   — the discipline catalogue of 《中小学教育惩戒规则（试行）》 and the
  other responses of the graded response (批评教育, 警示谈话, 训诫, referral)
- :mod:`.banned`      — measures banned by DR Art 12
- :mod:`.response`    — the graded response (seed 二(三); P2017)
- :mod:`.deadlines`   — deadlines and windows (investigation, bureau report, appeals, follow-up)
- :mod:`.settings`    — the values a county may set (Django settings with the defaults of LAW.md)

The workflow code only *consults* these tables (``anxin.cases.rules`` and ``services``).
"""

from anxin.cases.law.banned import BANNED, find_banned
from anxin.cases.law.catalogue import CATALOGUE, Level, MeasureItem, item, items_for
from anxin.cases.law.deadlines import DEADLINES, Deadline
from anxin.cases.law.definitions import (
    ADVANTAGE_BASES,
    BEHAVIOUR_TYPES,
    BULLYING_RESULTS,
    HARM_TYPES,
    NOT_BULLYING_RESULTS,
    RESULT_RANK,
    RESULTS,
    SEVERE_RESULTS,
)
from anxin.cases.law.response import ANY_BULLYING, GRADED_RESPONSE, response_for

__all__ = [
    "ADVANTAGE_BASES",
    "ANY_BULLYING",
    "BANNED",
    "BEHAVIOUR_TYPES",
    "BULLYING_RESULTS",
    "CATALOGUE",
    "DEADLINES",
    "Deadline",
    "GRADED_RESPONSE",
    "HARM_TYPES",
    "Level",
    "MeasureItem",
    "NOT_BULLYING_RESULTS",
    "RESULTS",
    "RESULT_RANK",
    "SEVERE_RESULTS",
    "find_banned",
    "item",
    "items_for",
    "response_for",
]
