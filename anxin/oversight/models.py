"""监督岗与问责 (SPEC R-SUP-4, R-CMP-4; seed 二(六), 三 第三阶段).

- 监督岗: supervision posts at places (most at the school's hazard points), staffed by shift —
  a weekday and a time slot, a member of staff on duty and, beside them, a 学生安全员; the
  observations the staff on duty record go into screening's monitoring duty log and, flagged
  as a 苗头, into the triage inbox;
- 问责: the county's thresholds (data the bureau edits) give the classes, grades and schools
  for 通报 or 约谈 (computed, ``anxin.oversight.accountability``); the actions taken on them —
  通报, 约谈 (who was interviewed, by whom, when, what was agreed), 限期整改 … — and their
  follow-up, owed by the named person.

State changes only through ``anxin.oversight.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope, ScopedManager

USER = "accounts.User"

WEEKDAYS = (
    (1, _("星期一")),
    (2, _("星期二")),
    (3, _("星期三")),
    (4, _("星期四")),
    (5, _("星期五")),
    (6, _("星期六")),
    (7, _("星期日")),
)


@audited()
class Post(CountySchoolModel):
    """A supervision post (监督岗) at a place of the school."""

    name = models.CharField(_("监督岗"), max_length=60)
    hazard = models.ForeignKey(
        "screening.HazardPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("隐患点"),
    )
    place = models.CharField(_("地点"), max_length=100, blank=True, help_text=_("不在隐患点时填写"))
    duties = models.CharField(_("岗位职责"), max_length=200, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("设立人"))

    scope = Scope(county="county_id", school="school_id", class_sees_school=True)

    class Meta:
        verbose_name = _("监督岗")
        verbose_name_plural = _("监督岗")
        ordering = ["school_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="oversight_post_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def where(self) -> str:
        return self.place or (self.hazard.name if self.hazard_id else "")


@audited()
class PostShift(CountySchoolModel):
    """One shift at a post: a weekday and a time slot, the member of staff on duty and the
    学生安全员 beside them. A shift without a member of staff is a gap."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("监督岗"))
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=WEEKDAYS)
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    staff = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("值岗教职工")
    )
    officer = models.ForeignKey(
        "org.SafetyOfficer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("学生安全员"),
    )

    scope = Scope(county="county_id", school="school_id", class_sees_school=True)

    class Meta:
        verbose_name = _("值岗安排")
        verbose_name_plural = _("值岗安排")
        ordering = ["post_id", "weekday", "start_time", "id"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


@audited()
class Observation(CountySchoolModel):
    """What the staff on duty saw at a post (one minute, on the phone). It is written to the
    monitoring duty log through screening's service; flagged, it is a 苗头 for triage."""

    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="observations", verbose_name=_("监督岗")
    )
    shift = models.ForeignKey(
        PostShift, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("班次")
    )
    at = models.DateTimeField(_("时间"))
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    summary = models.TextField(_("值岗情况"), max_length=500)
    flagged = models.BooleanField(_("发现苗头"), default=False)
    duty_log = models.ForeignKey(
        "screening.DutyLog",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("值守记录"),
    )
    concern_id = models.BigIntegerField(_("关注线索编号"), null=True, blank=True)

    scope = Scope(county="county_id", school="school_id", class_sees_school=True)

    class Meta:
        verbose_name = _("监督岗记录")
        verbose_name_plural = _("监督岗记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["school", "-at"], name="ovs_obs_school_idx")]

    def __str__(self) -> str:
        return f"{self.post} {self.at:%Y-%m-%d %H:%M}"


@audited()
class AccountabilitySetting(models.Model):
    """A county's thresholds for 通报约谈 (R-CMP-4), edited by the bureau."""

    county = models.OneToOneField(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    class_cases = models.PositiveSmallIntegerField(
        _("班级：一学期内认定欺凌事件（起）"), default=2, help_text=_("同一班级达到这一数目即列入通报")
    )
    grade_cases = models.PositiveSmallIntegerField(
        _("年级：一学期内认定欺凌事件（起）"), default=3, help_text=_("同一年级达到这一数目即列入通报")
    )
    school_cases = models.PositiveSmallIntegerField(
        _("学校：一学期内认定欺凌事件（起）"), default=5, help_text=_("同一学校达到这一数目即列入约谈")
    )
    severe_any = models.BooleanField(
        _("任一情节恶劣事件列入约谈"), default=True, help_text=_("认定为情节恶劣或涉嫌违法犯罪的事件")
    )
    repeat_bully_cases = models.PositiveSmallIntegerField(
        _("同一学生被认定实施欺凌（起）"),
        default=2,
        help_text=_("一学期内达到这一数目，其班级列入约谈；0 为不适用"),
    )

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)

    class Meta:
        verbose_name = _("通报约谈标准")
        verbose_name_plural = _("通报约谈标准")

    def __str__(self) -> str:
        return str(self.county)


class Level(models.TextChoices):
    CLASS = "class", _("班级")
    GRADE = "grade", _("年级")
    SCHOOL = "school", _("学校")


class ActionKind(models.TextChoices):
    NOTICE = "notice", _("通报")
    INTERVIEW = "interview", _("约谈")
    RECTIFY = "rectify", _("限期整改")
    APPRAISAL = "appraisal", _("取消当年评优评先资格")
    OTHER = "other", _("其他问责")


@audited()
class Action(CountySchoolModel):
    """An accountability action on a class, a grade or a school, with its follow-up owed by
    the named person. A 约谈 records who was interviewed, by whom, when and what was agreed."""

    kind = models.CharField(_("问责方式"), max_length=10, choices=ActionKind.choices)
    level = models.CharField(_("对象"), max_length=8, choices=Level.choices)
    grade = models.ForeignKey(
        "org.Grade", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("年级")
    )
    klass = models.ForeignKey(
        "org.SchoolClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("班级"),
    )
    reason = models.TextField(_("问责原因"), max_length=1000)
    cases = models.CharField(_("涉及事件"), max_length=400, blank=True)
    decided_on = models.DateField(_("日期"))
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    interviewees = models.CharField(_("被约谈人"), max_length=200, blank=True)
    interviewers = models.CharField(_("约谈人"), max_length=200, blank=True)
    agreed = models.TextField(_("约谈要求与整改承诺"), max_length=2000, blank=True)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("整改责任人"))
    follow_up_due = models.DateField(_("整改期限"))
    done_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    done_note = models.TextField(_("整改情况"), max_length=1000, blank=True)

    scope = Scope(county="county_id", school="school_id", class_sees_school=True)

    class Meta:
        verbose_name = _("问责措施")
        verbose_name_plural = _("问责措施")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target}"

    @property
    def target(self) -> str:
        if self.level == Level.CLASS and self.klass_id:
            return str(self.klass)
        if self.level == Level.GRADE and self.grade_id:
            return str(self.grade)
        return str(self.school)

    @property
    def is_open(self) -> bool:
        return self.done_on is None
