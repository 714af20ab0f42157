"""Monitoring on duty (R-SCR-6): the key-period duty roster and the duty logs."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope
from anxin.screening.models.hazards import MonitoringZone


class KeyPeriod(models.TextChoices):
    """Key periods for monitoring duty (重点时段)."""

    ARRIVAL = "arrival", _("早到校")
    BREAK = "break", _("课间")
    LUNCH = "lunch", _("午休")
    DISMISSAL = "dismissal", _("放学")
    EVENING = "evening", _("晚自习")
    NIGHT = "night", _("夜间（住宿）")
    WEEKEND = "weekend", _("周末、节假日")


@audited()
class DutyShift(CountySchoolModel):
    """A line of the monitoring duty roster: a key period, weekdays, a zone and the person
    assigned (重点时段指派专人进行监控, seed 二(一))."""

    period = models.CharField(_("重点时段"), max_length=10, choices=KeyPeriod.choices)
    weekdays = models.CharField(
        _("星期"), max_length=7, default="12345", help_text=_("1–7，如 12345 为周一至周五")
    )
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    zone = models.ForeignKey(
        MonitoringZone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区域"),
    )
    person = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("值守人")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    scope = Scope()

    class Meta:
        verbose_name = _("值守安排")
        verbose_name_plural = _("值守排班")
        ordering = ["school", "start_time", "id"]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def weekday_labels(self) -> str:
        names = "一二三四五六日"
        return "、".join(f"周{names[int(d) - 1]}" for d in self.weekdays if d.isdigit() and 1 <= int(d) <= 7)


@audited()
class DutyLog(CountySchoolModel):
    """A monitoring duty log entry. An entry flagged 苗头 becomes a concern for triage
    (发现苗头性事件，及时报告, R-SCR-6)."""

    shift = models.ForeignKey(
        DutyShift,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="logs",
        verbose_name=_("值守安排"),
    )
    zone = models.ForeignKey(
        MonitoringZone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区域"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    logged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("值守人")
    )
    summary = models.TextField(_("值守情况"), max_length=1000)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    is_sign = models.BooleanField(_("发现苗头"), default=False)
    concern_id = models.BigIntegerField(_("关注线索编号"), null=True, blank=True)

    scope = Scope()

    class Meta:
        verbose_name = _("值守记录")
        verbose_name_plural = _("值守记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["school", "-at"], name="scr_dutylog_school_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"
