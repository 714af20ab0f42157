"""How often an at-risk student must be contacted, by risk level: the law as data (GUIDE
principle 1). Seed 三 第二阶段: "针对摸排结果，加强对弱势群体帮扶力度，常态化开展谈心谈话、家访等
活动，了解生活状态、心理状况，发现异常及时干预"; SPEC R-CARE-1.

The days are defaults; a county overrides them in settings::

    ANXIN_CARE_CADENCE_DAYS = {"red": 5, "orange": 10, "yellow": 30, "green": None, "watch": 7}

A plan may also carry its own ``cadence_days`` (a stricter agreement for one student).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The one colour scale of the risk engine (screening): 红 / 橙 / 黄 / 绿."""

    RED = "red", _("红色（高风险）")
    ORANGE = "orange", _("橙色（较高风险）")
    YELLOW = "yellow", _("黄色（一般风险）")
    GREEN = "green", _("绿色（低风险）")


@dataclass(frozen=True)
class CadenceRule:
    key: str  # a Level value, or "watch" for 重点盯防 plans
    days: int | None  # at most this many days between two contacts; None = no fixed cadence
    label: str
    basis: str  # why, citing the seed


CADENCE_TABLE: tuple[CadenceRule, ...] = (
    CadenceRule(Level.RED, 7, _("每周至少联系一次"), "三 第二阶段：常态化谈心谈话、家访；红色对象每周跟进"),
    CadenceRule(Level.ORANGE, 14, _("每两周至少联系一次"), "三 第二阶段：橙色对象每两周跟进"),
    CadenceRule(Level.YELLOW, 30, _("每月至少联系一次"), "三 第二阶段：黄色对象每月跟进"),
    CadenceRule(Level.GREEN, None, _("不定期联系"), "绿色：日常关注，不设固定频次"),
    CadenceRule(
        "watch",
        7,
        _("重点盯防：每周至少回访一次"),
        "三 第二阶段：重点盯防欺凌者或有欺凌他人倾向学生，严防再次欺凌",
    ),
)
RULES = {r.key: r for r in CADENCE_TABLE}


def days_for(key: str) -> int | None:
    """The cadence in days for a level (or "watch"), settings overriding the table."""
    override = getattr(settings, "ANXIN_CARE_CADENCE_DAYS", None) or {}
    if key in override:
        return override[key]
    rule = RULES.get(key)
    return rule.days if rule else None


def plan_cadence(level: str, kind: str, own_days: int | None = None) -> int | None:
    """The days allowed between contacts for a plan: its own agreement when set, else the
    level's row; a 重点盯防 plan is held to the stricter of its level and the watch row."""
    if own_days:
        return own_days
    days = days_for(level) if level else None
    if kind == "watch":
        watch = days_for("watch")
        candidates = [d for d in (days, watch) if d]
        days = min(candidates) if candidates else None
    return days


def label_for(days: int | None) -> str:
    if not days:
        return str(_("不定期"))
    if days == 7:
        return str(_("每周"))
    if days == 14:
        return str(_("每两周"))
    if days in (30, 31):
        return str(_("每月"))
    return str(_("每 %(n)s 天") % {"n": days})
