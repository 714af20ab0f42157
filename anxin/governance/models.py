"""School governance (SPEC R-SCR-8, R-ORG-7, R-ORG-8, R-SCR-9, R-EDU-3; seed 二(一), 二(二),
二(四), 二(六), 四(一)).

- the county's self-check checklist across the seed's seven dimensions and each school's
  self-check with an answer per item (学校自查);
- the school's documents with versions: 本校欺凌防治工作制度, 校规校纪（含教育惩戒实施细则）
  and 工作方案 (制度文件, 工作方案);
- 举一反三: a case, a sign or a rectification that asks for a document to be revised, open until
  a new version (or a recorded decision not to change it) closes it;
- lessons from incidents (案例警示): de-identified summaries the bureau publishes, assigned to
  staff, marked studied.

State changes only through ``anxin.governance.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope, ScopedManager, StoredFile

USER = "accounts.User"


class Dimension(models.TextChoices):
    """The seven dimensions of the seed's self-check (二(一))."""

    MECHANISM = "mechanism", _("工作机制")
    MEASURES = "measures", _("制度措施")
    TEAM = "team", _("队伍建设")
    DUTY = "duty", _("责任落实")
    PUBLICITY = "publicity", _("宣传引导")
    DISCIPLINE = "discipline", _("教育惩戒")
    CONDITIONS = "conditions", _("条件保障")


class Probe(models.TextChoices):
    """What the platform can tell about an item from its own records (the proposal)."""

    NONE = "", _("无（学校自行判断）")
    RESPONSIBILITY = "responsibility", _("岗位责任清单是否有空缺")
    CAMERAS = "cameras", _("隐患点是否有摄像头覆盖")
    POSTS = "posts", _("关键岗位是否有人在岗")
    LEADING_GROUP = "leading_group", _("领导小组组长、副组长、办公室是否明确")
    RULES = "rules", _("制度文件是否齐全、现行")


class Answer(models.TextChoices):
    YES = "yes", _("是")
    PARTIAL = "partial", _("部分")
    NO = "no", _("否")


class DocKind(models.TextChoices):
    RULES = "rules", _("本校欺凌防治工作制度")
    CONDUCT = "conduct", _("校规校纪（含教育惩戒实施细则）")
    WORKPLAN = "workplan", _("防治学生欺凌工作方案")


RULE_KINDS = (DocKind.RULES, DocKind.CONDUCT)


@audited()
class GovernanceSetting(models.Model):
    """A county's settings for this area: how old a rules document may be before the bureau's
    view flags it (三 第三阶段 不断修订完善)."""

    county = models.OneToOneField(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    rules_max_age_months = models.PositiveSmallIntegerField(
        _("制度文件修订周期（月）"), default=12, help_text=_("超过这一月数未修订的制度文件标为“需修订”")
    )

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)

    class Meta:
        verbose_name = _("制度与自查设置")
        verbose_name_plural = _("制度与自查设置")

    def __str__(self) -> str:
        return str(self.county)


@audited()
class ChecklistItem(models.Model):
    """One item of a county's self-check checklist (data the bureau edits)."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    dimension = models.CharField(_("方面"), max_length=12, choices=Dimension.choices)
    text = models.CharField(_("自查内容"), max_length=300)
    probe = models.CharField(_("平台数据"), max_length=16, choices=Probe.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None, county_wide=True)

    class Meta:
        verbose_name = _("自查项目")
        verbose_name_plural = _("自查清单")
        ordering = ["county", "position", "id"]

    def __str__(self) -> str:
        return self.text[:40]


@audited()
class SelfCheck(CountySchoolModel):
    """A school's self-check (学校自查) for one period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("填写中")
        SUBMITTED = "submitted", _("已提交")

    period = models.CharField(_("自查批次"), max_length=40, help_text=_("如：2026年春季学期"))
    checked_on = models.DateField(_("自查日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人"))
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("提交人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    gaps = models.PositiveSmallIntegerField(_("问题项"), default=0)

    class Meta:
        verbose_name = _("学校自查")
        verbose_name_plural = _("学校自查")
        ordering = ["school", "-checked_on", "-id"]
        indexes = [
            models.Index(fields=["school", "status", "-submitted_at"], name="gov_selfcheck_school_idx")
        ]

    def __str__(self) -> str:
        return f"{self.period}自查"


@audited()
class SelfCheckAnswer(CountySchoolModel):
    """The school's answer to one checklist item, with the platform's proposal and its reason."""

    selfcheck = models.ForeignKey(SelfCheck, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("自查项目")
    )
    answer = models.CharField(_("自查结论"), max_length=8, choices=Answer.choices, blank=True)
    note = models.TextField(_("情况说明"), max_length=1000, blank=True)
    proposed = models.CharField(_("平台建议"), max_length=8, choices=Answer.choices, blank=True)
    proposed_reason = models.CharField(_("建议依据"), max_length=300, blank=True)
    rectification = models.ForeignKey(
        "screening.Rectification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("整改事项"),
    )

    policy_resource = "governance.selfcheck"

    class Meta:
        verbose_name = _("自查结论")
        verbose_name_plural = _("自查结论")
        ordering = ["selfcheck", "item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["selfcheck", "item"], name="gov_answer_item_unique")]

    def __str__(self) -> str:
        return f"{self.item} — {self.get_answer_display()}"

    @property
    def is_gap(self) -> bool:
        return self.answer in (Answer.NO, Answer.PARTIAL)


@audited(exclude=("created_at", "updated_at", "file"))
class AnswerEvidence(CountySchoolModel, StoredFile):
    """A supporting file for one answer (佐证材料)."""

    answer = models.ForeignKey(SelfCheckAnswer, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    policy_resource = "governance.selfcheck"

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["answer", "id"]


@audited(exclude=("created_at", "updated_at", "file"))
class DocumentVersion(CountySchoolModel, StoredFile):
    """One version of one of the school's documents (制度文件, 工作方案). Versions are never
    changed: a revision is a new version."""

    kind = models.CharField(_("文件"), max_length=10, choices=DocKind.choices)
    number = models.PositiveSmallIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=120)
    summary = models.CharField(_("修订说明"), max_length=500, blank=True)
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审定人")
    )
    approved_on = models.DateField(_("审定日期"), null=True, blank=True)
    effective_on = models.DateField(_("施行日期"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    class Meta:
        verbose_name = _("制度文件版本")
        verbose_name_plural = _("制度文件")
        ordering = ["school", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "number"], name="gov_docversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} 第{self.number}版"


@audited()
class Improvement(CountySchoolModel):
    """举一反三 (二(二), R-SCR-9): what a case, a sign or a rectification taught, and the document
    to revise. Open until a new version of that document, or a decision not to change it."""

    class Source(models.TextChoices):
        CASE = "case", _("已结案事件")
        SIGN = "sign", _("监控发现的苗头")
        RECTIFICATION = "rectification", _("问题整改")

    class Status(models.TextChoices):
        OPEN = "open", _("待完善")
        REVISED = "revised", _("已修订")
        KEPT = "kept", _("决定不修订")

    source = models.CharField(_("来源"), max_length=14, choices=Source.choices)
    case = models.ForeignKey(
        "cases.BullyingCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("事件"),
    )
    sign = models.ForeignKey(
        "screening.DutyLog",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("苗头"),
    )
    rectification = models.ForeignKey(
        "screening.Rectification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("整改事项"),
    )
    document = models.CharField(_("需完善的文件"), max_length=10, choices=DocKind.choices)
    cause = models.TextField(_("查明的原因"), max_length=1000)
    parent_communication = models.TextField(_("与家长沟通情况"), max_length=1000)
    change = models.TextField(_("拟完善的制度或流程"), max_length=1000)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("办结人")
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvements",
        verbose_name=_("修订后的版本"),
    )
    decision = models.TextField(_("不修订的理由"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("举一反三")
        verbose_name_plural = _("举一反三")
        ordering = ["school", "status", "-created_at", "-id"]
        indexes = [models.Index(fields=["school", "status"], name="gov_improve_school_idx")]

    def __str__(self) -> str:
        return f"{self.get_document_display()}：{self.change[:20]}"


@audited()
class Lesson(models.Model):
    """案例警示 (二(六) 吸取区内外学生欺凌事件，引以为鉴): a de-identified summary with lessons,
    from one of the county's closed cases or an outside incident. No original text is kept."""

    class Origin(models.TextChoices):
        CASE = "case", _("本县已结案事件")
        OUTSIDE = "outside", _("区外事件")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    origin = models.CharField(_("来源"), max_length=8, choices=Origin.choices)
    case = models.ForeignKey(
        "cases.BullyingCase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("事件"),
    )
    title = models.CharField(_("标题"), max_length=120)
    summary = models.TextField(_("事件经过（已去除身份信息）"), max_length=4000)
    lessons = models.TextField(_("警示与教训"), max_length=4000, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("编写人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None, county_wide=True)

    class Meta:
        verbose_name = _("案例警示")
        verbose_name_plural = _("案例警示")
        ordering = ["county", "-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


@audited()
class LessonAssignment(CountySchoolModel):
    """A lesson a school assigned to one staff member, and when they studied it."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="assignments")
    staff = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("教职工"))
    assigned_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("布置人")
    )
    studied_at = models.DateTimeField(_("学习时间"), null=True, blank=True)

    scope = Scope(class_sees_school=True)

    class Meta:
        verbose_name = _("案例学习")
        verbose_name_plural = _("案例学习")
        ordering = ["lesson", "school", "studied_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "staff", "school"], name="gov_assignment_unique")
        ]
        indexes = [models.Index(fields=["school", "lesson"], name="gov_assign_school_idx")]

    def __str__(self) -> str:
        return f"{self.lesson} — {self.staff}"
