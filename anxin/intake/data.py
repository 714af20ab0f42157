"""The reporting channels' tables, as data a reviewer can read without the Python around it
(GUIDE principle 1): behaviour types, places, times and the urgency hint words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Behaviour(models.TextChoices):
    """The five behaviour types of bullying, plus 其他 (LAW.md Definitions; 未成年人保护法
    第一百三十条; 未成年人学校保护规定 第二十一条). The examples are the rule's own words."""

    PHYSICAL = "physical", _("肢体欺凌：殴打、脚踢、掌掴、推撞、恐吓威胁")
    VERBAL = "verbal", _("言语欺凌：辱骂、讥讽、起侮辱性绰号")
    PROPERTY = "property", _("财物欺凌：抢夺、强拿硬要、毁坏财物")
    EXCLUSION = "exclusion", _("排斥孤立：恶意排斥、孤立")
    CYBER = "cyber", _("网络欺凌：诽谤、散布谣言、恶意传播隐私")
    OTHER = "other", _("其他")


BEHAVIOUR_SHORT = {
    Behaviour.PHYSICAL: _("肢体"),
    Behaviour.VERBAL: _("言语"),
    Behaviour.PROPERTY: _("财物"),
    Behaviour.EXCLUSION: _("排斥孤立"),
    Behaviour.CYBER: _("网络"),
    Behaviour.OTHER: _("其他"),
}


class Place(models.TextChoices):
    """Where it happened, in general kinds. The report form offers the school's own places (its
    hazard points, R-SCR-5) first and these after; free text beside them says the exact spot."""

    CLASSROOM = "classroom", _("教室")
    CORRIDOR = "corridor", _("走廊、楼梯")
    TOILET = "toilet", _("厕所")
    DORM = "dorm", _("宿舍")
    PLAYGROUND = "playground", _("操场、运动场")
    CANTEEN = "canteen", _("食堂")
    GATE = "gate", _("校门口")
    WAY = "way", _("上学放学路上")
    OFF_CAMPUS = "off_campus", _("校外其他地方")
    ONLINE = "online", _("网上、手机里")
    OTHER = "other", _("其他地方")


class Period(models.TextChoices):
    """When in the school day (重点时段: breaks, lunch, after school, boarding nights)."""

    CLASS = "class", _("上课时")
    BREAK = "break", _("课间")
    LUNCH = "lunch", _("午饭、午休")
    AFTER = "after", _("放学后")
    EVENING = "evening", _("晚自习")
    NIGHT = "night", _("夜里（宿舍）")
    HOLIDAY = "holiday", _("周末、假期")
    UNSURE = "unsure", _("记不清")


class Repeated(models.TextChoices):
    ONCE = "once", _("只有这一次")
    MANY = "many", _("不止一次，还在发生")
    UNSURE = "unsure", _("不清楚")


class ReporterKind(models.TextChoices):
    STUDENT = "student", _("学生")
    PARENT = "parent", _("家长")
    OTHER = "other", _("其他人")


class Urgency(models.TextChoices):
    """Urgency set by a person at triage (never by the hint words)."""

    CRITICAL = "critical", _("特急")
    HIGH = "high", _("紧急")
    MEDIUM = "medium", _("一般")
    LOW = "low", _("较低")


URGENCY_LEVEL_CLASS = {"critical": "red", "high": "orange", "medium": "yellow", "low": "green"}


@dataclass(frozen=True)
class Hint:
    """A word that suggests urgency. ``level`` is the urgency it suggests; ``why`` the reason
    a reviewer can check."""

    word: str
    level: str
    why: str


# Urgency hints (R-RPT-4): shown to triage staff as suggestions with the matched words; a
# person decides. Self-harm and weapons first, then extortion and filming (常见的严重欺凌形式).
URGENCY_HINTS: tuple[Hint, ...] = (
    Hint("自杀", Urgency.CRITICAL, "自伤自杀风险"),
    Hint("轻生", Urgency.CRITICAL, "自伤自杀风险"),
    Hint("不想活", Urgency.CRITICAL, "自伤自杀风险"),
    Hint("活不下去", Urgency.CRITICAL, "自伤自杀风险"),
    Hint("跳楼", Urgency.CRITICAL, "自伤自杀风险"),
    Hint("割腕", Urgency.CRITICAL, "自伤自杀风险"),
    Hint("刀", Urgency.CRITICAL, "持械"),
    Hint("棍", Urgency.HIGH, "持械"),
    Hint("砖头", Urgency.HIGH, "持械"),
    Hint("打死", Urgency.HIGH, "严重暴力或威胁"),
    Hint("弄死", Urgency.HIGH, "严重暴力或威胁"),
    Hint("群殴", Urgency.HIGH, "严重暴力"),
    Hint("围殴", Urgency.HIGH, "严重暴力"),
    Hint("流血", Urgency.HIGH, "已受伤"),
    Hint("受伤", Urgency.HIGH, "已受伤"),
    Hint("骨折", Urgency.HIGH, "已受伤"),
    Hint("住院", Urgency.HIGH, "已受伤"),
    Hint("勒索", Urgency.HIGH, "索要财物"),
    Hint("敲诈", Urgency.HIGH, "索要财物"),
    Hint("要钱", Urgency.MEDIUM, "索要财物"),
    Hint("保护费", Urgency.HIGH, "索要财物"),
    Hint("拍视频", Urgency.HIGH, "拍摄传播"),
    Hint("录视频", Urgency.HIGH, "拍摄传播"),
    Hint("发到网上", Urgency.HIGH, "拍摄传播"),
    Hint("脱衣", Urgency.CRITICAL, "侮辱、性相关伤害"),
    Hint("裸照", Urgency.CRITICAL, "侮辱、性相关伤害"),
    Hint("报复", Urgency.MEDIUM, "可能再次发生"),
    Hint("威胁", Urgency.MEDIUM, "恐吓威胁"),
    Hint("不敢上学", Urgency.MEDIUM, "严重心理影响"),
)

_LEVEL_ORDER = [Urgency.CRITICAL, Urgency.HIGH, Urgency.MEDIUM, Urgency.LOW]
_HINT_RE = re.compile("|".join(re.escape(h.word) for h in sorted(URGENCY_HINTS, key=lambda h: -len(h.word))))
_HINT_BY_WORD = {h.word: h for h in URGENCY_HINTS}


def urgency_hints(*texts: str) -> list[str]:
    """The hint words found in ``texts``, most urgent first, each once."""
    found: dict[str, Hint] = {}
    for text in texts:
        for m in _HINT_RE.finditer(text or ""):
            found.setdefault(m.group(0), _HINT_BY_WORD[m.group(0)])
    return [h.word for h in sorted(found.values(), key=lambda h: _LEVEL_ORDER.index(h.level))]


def suggested_urgency(words: list[str]) -> str:
    """The highest level the matched words suggest ("" when none)."""
    levels = [_HINT_BY_WORD[w].level for w in words if w in _HINT_BY_WORD]
    return min(levels, key=_LEVEL_ORDER.index) if levels else ""


def hint_reasons(words: list[str]) -> list[tuple[str, str]]:
    return [(w, _HINT_BY_WORD[w].why) for w in words if w in _HINT_BY_WORD]
