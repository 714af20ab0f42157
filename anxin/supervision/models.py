"""Supervision and joint inspection (SPEC R-SUP-1, R-SUP-2, R-SUP-3; seed 四(二), 四(三)).

- the county's supervision checklist: items with weights (the most an item scores), edited by
  the bureau; a default written from the seed is given on first use;
- 督导 visits by the school's responsible supervisor (责任督学挂牌督导): scores per item,
  findings, the 督导意见书 (.docx);
- joint inspections (联合检查) by the bureau with 检察、公安: several schools, a team, one
  visit per school scored on the same checklist, a county summary (.xlsx);
- rectification items (整改事项) raised on a visit, due by a date: the school records what it
  did with evidence files, the supervisor verifies or sends back;
- 部门联动: the county's partner units and their contacts; referrals outside a case (a family
  in hardship, a left-behind child without a guardian) with their outcome.

Why a rectification item of its own rather than screening's 问题整改台账: that register has no
verification (核验 / 退回) and keeps its evidence as text; supervision needs both, and changing
screening's model would mean a migration in another app. State changes only through
``anxin.supervision.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope, ScopedManager, StoredFile

USER = "accounts.User"


@audited()
class ChecklistItem(models.Model):
    """One item of the county's supervision checklist; ``weight`` is the most it scores."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    category = models.CharField(_("方面"), max_length=20)
    text = models.CharField(_("检查内容"), max_length=300)
    weight = models.PositiveSmallIntegerField(_("分值"), default=10)
    position = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None, county_wide=True)

    class Meta:
        verbose_name = _("督导检查项目")
        verbose_name_plural = _("督导检查清单")
        ordering = ["county", "position", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class PartnerKind(models.TextChoices):
    POLICE = "police", _("派出所")
    PROCURATORATE = "procuratorate", _("检察院")
    COURT = "court", _("法院")
    JUSTICE = "justice", _("司法所")
    WOMEN = "women", _("妇联")
    YOUTH = "youth", _("团委")
    CIVIL = "civil", _("民政")
    HEALTH = "health", _("卫健")


@audited()
class PartnerUnit(models.Model):
    """A partner unit of the county's 部门联动 (seed 四(二))."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    kind = models.CharField(_("类别"), max_length=14, choices=PartnerKind.choices)
    name = models.CharField(_("单位名称"), max_length=80)
    phone = models.CharField(_("值班电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=120, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None, county_wide=True)

    class Meta:
        verbose_name = _("联动单位")
        verbose_name_plural = _("联动单位")
        ordering = ["county", "kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


@audited()
class PartnerContact(models.Model):
    """A person at a partner unit; ``user`` is their account (法治副校长, 联络员) when they have
    one: referrals to them then become their duty."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    unit = models.ForeignKey(PartnerUnit, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=40)
    title = models.CharField(_("职务"), max_length=40, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    user = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("平台账号"),
    )

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None, county_wide=True)
    policy_resource = "supervision.partnerunit"

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["unit", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


@audited()
class Inspection(models.Model):
    """A joint inspection (联合检查, seed 四(三)) the bureau runs with partner units over
    several schools. Each school's result is a :class:`Visit` of this inspection."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        CLOSED = "closed", _("已结束")

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    title = models.CharField(_("检查名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    units = models.ManyToManyField(PartnerUnit, blank=True, related_name="+", verbose_name=_("参加单位"))
    lead = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("牵头人"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)

    class Meta:
        verbose_name = _("联合检查")
        verbose_name_plural = _("联合检查")
        ordering = ["county", "-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


@audited()
class TeamMember(models.Model):
    """A member of an inspection team: an account (bureau staff, a liaison, a supervisor) or a
    person named with their unit."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("平台账号")
    )
    name = models.CharField(_("姓名"), max_length=40)
    unit = models.CharField(_("单位"), max_length=80, blank=True)
    duty = models.CharField(_("分工"), max_length=60, blank=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)
    policy_resource = "supervision.inspection"

    class Meta:
        verbose_name = _("检查组成员")
        verbose_name_plural = _("检查组成员")
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "user"],
                condition=models.Q(user__isnull=False),
                name="sup_team_user_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class Visit(CountySchoolModel):
    """A supervision visit to one school (督导), or one school's part of a joint inspection."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        DONE = "done", _("已完成")

    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("联合检查"),
    )
    supervisor = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任督学")
    )
    planned_on = models.DateField(_("计划日期"))
    visited_on = models.DateField(_("督导日期"), null=True, blank=True)
    purpose = models.CharField(_("督导事项"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    findings = models.TextField(_("主要发现"), max_length=4000, blank=True)
    strengths = models.TextField(_("工作亮点"), max_length=2000, blank=True)
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, null=True, blank=True)
    full = models.PositiveSmallIntegerField(_("满分"), default=0)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督导检查")
        verbose_name_plural = _("督导检查")
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["school", "status", "-visited_on"], name="sup_visit_school_idx")]

    def __str__(self) -> str:
        kind = _("联合检查") if self.inspection_id else _("督导")
        return f"{self.planned_on:%Y-%m-%d} {kind}"

    @property
    def is_joint(self) -> bool:
        return self.inspection_id is not None


@audited()
class Score(CountySchoolModel):
    """The score of one checklist item on one visit; the item's text and weight are copied so
    a later change to the checklist leaves past visits as they were scored."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("方面"), max_length=20)
    text = models.CharField(_("检查内容"), max_length=300)
    weight = models.PositiveSmallIntegerField(_("分值"))
    position = models.PositiveSmallIntegerField(_("排序"), default=100)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("扣分说明"), max_length=300, blank=True)

    policy_resource = "supervision.visit"

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["visit", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="sup_score_item_unique")]

    def __str__(self) -> str:
        return f"{self.text[:20]}：{self.score}"


@audited()
class RectificationItem(CountySchoolModel):
    """整改事项: a problem found on a visit, assigned to the school with a due date. The school
    records what it did (with evidence files) and submits; the supervisor verifies it or sends
    it back."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        SUBMITTED = "submitted", _("待核验")
        RETURNED = "returned", _("退回重改")
        VERIFIED = "verified", _("已核验")

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="rectifications")
    problem = models.TextField(_("存在问题"), max_length=1000)
    requirement = models.TextField(_("整改要求"), max_length=1000)
    due_date = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人"))
    action_taken = models.TextField(_("整改情况"), max_length=2000, blank=True)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("报送人")
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    review_note = models.TextField(_("核验意见"), max_length=1000, blank=True)
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("核验人")
    )
    reviewed_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    returns = models.PositiveSmallIntegerField(_("退回次数"), default=0)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("督导整改事项")
        ordering = ["status", "due_date", "id"]
        indexes = [models.Index(fields=["school", "status", "due_date"], name="sup_rect_school_idx")]

    def __str__(self) -> str:
        return self.problem[:30]

    @property
    def overdue(self) -> bool:
        from anxin.core import clock

        return self.status in (self.Status.OPEN, self.Status.RETURNED) and self.due_date < clock.today()


@audited(exclude=("created_at", "updated_at", "file"))
class Evidence(CountySchoolModel, StoredFile):
    """A file the school attached to what it did about a rectification item (整改佐证)."""

    rectification = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    policy_resource = "supervision.rectificationitem"

    class Meta:
        verbose_name = _("整改佐证")
        verbose_name_plural = _("整改佐证")
        ordering = ["rectification", "id"]


class ReferralReason(models.TextChoices):
    HARDSHIP = "hardship", _("家庭困难")
    LEFT_BEHIND = "left_behind", _("留守儿童监护缺失")
    SAFETY = "safety", _("校园周边治安")
    LEGAL = "legal", _("法治教育、警示教育")
    HEALTH = "health", _("心理或身体健康")
    OTHER = "other", _("其他")


@audited()
class Referral(CountySchoolModel):
    """部门联动: a matter a school refers to a partner unit outside a case, and its outcome. The
    person it is sent to (a contact with an account) sees it and records receipt and outcome;
    without an account, the school records the outcome the unit gave."""

    class Status(models.TextChoices):
        SENT = "sent", _("已转介")
        RECEIVED = "received", _("已接收")
        CLOSED = "closed", _("已反馈结果")

    unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("联动单位")
    )
    contact = models.ForeignKey(
        PartnerContact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("联系人"),
    )
    recipient = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("接收人")
    )
    reason = models.CharField(_("事由"), max_length=12, choices=ReferralReason.choices)
    student = models.ForeignKey(
        "roster.Student",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("涉及学生"),
    )
    child = models.CharField(
        _("涉及学生（说明）"),
        max_length=60,
        blank=True,
        help_text=_("不是本校在册学生时的说明，如“一名外校学生”"),
    )
    details = models.TextField(_("情况说明"), max_length=2000)
    request = models.CharField(_("请求协助事项"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SENT)
    referred_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("转介人")
    )
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    outcome = models.TextField(_("处理结果"), max_length=2000, blank=True)
    outcome_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("反馈人")
    )
    outcome_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    respond_by = models.DateField(_("希望反馈日期"))

    class Meta:
        verbose_name = _("联动转介")
        verbose_name_plural = _("联动转介")
        ordering = ["status", "-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "status"], name="sup_referral_recipient_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} → {self.unit}"
