"""Campaigns (专项治理行动, R-CMP-1) and experience articles (经验材料, R-CMP-2).

A campaign is the county's: its phases and tasks are read by every school of the county that
holds the right (``county_wide``). What a school does lives in rows keyed by the school:
``TaskProgress`` (the evidence of an evidenced task) and ``Article`` (with its review history)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core import evaluators
from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope, ScopedManager

COUNTY_SCOPE = Scope(county="county_id", school=None, county_wide=True)


@audited()
class Campaign(models.Model):
    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    title = models.CharField(_("名称"), max_length=120)
    template_key = models.CharField(_("模板"), max_length=40, blank=True)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    # tasks of the template left out because no module judges them yet (evaluator not registered)
    skipped = models.JSONField(_("未能建立的任务"), default=list, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("建立人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()
    scope = COUNTY_SCOPE

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


@audited()
class Phase(models.Model):
    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name=_("专项行动")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    name = models.CharField(_("阶段"), max_length=40)
    starts_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成期限"))

    objects = ScopedManager()
    scope = COUNTY_SCOPE
    policy_resource = "campaigns.campaign"

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["campaign", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def window(self) -> evaluators.Window:
        return evaluators.Window(self.starts_on, self.deadline)


class TaskKind(models.TextChoices):
    DATA = "data", _("由数据判定")
    EVIDENCE = "evidence", _("上报材料")


@audited()
class Task(models.Model):
    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("专项行动")
    )
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("阶段"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("任务"), max_length=120)
    description = models.TextField(_("要求"), max_length=2000, blank=True)
    school_type = models.CharField(_("适用学校"), max_length=16, blank=True, help_text=_("留空表示全部学校"))
    kind = models.CharField(_("完成方式"), max_length=10, choices=TaskKind.choices, default=TaskKind.EVIDENCE)
    evaluator = models.CharField(_("判定依据"), max_length=60, blank=True)
    params = models.JSONField(_("判定参数"), default=dict, blank=True)

    objects = ScopedManager()
    scope = COUNTY_SCOPE
    policy_resource = "campaigns.campaign"

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["phase__order", "order", "id"]

    def __str__(self) -> str:
        return self.title

    def applies_to(self, school) -> bool:
        return not self.school_type or school.type == self.school_type

    def params_text(self) -> str:
        names = {
            "min_points": _("至少隐患点数"),
            "min_share": _("联系比例（百分比）"),
            "min_count": _("至少篇数"),
        }
        return "；".join(f"{names.get(k, k)} {v}" for k, v in (self.params or {}).items())

    def school_type_display(self) -> str:
        from anxin.org.models import SchoolType

        return str(dict(SchoolType.choices).get(self.school_type, _("全部学校")))


@audited()
class TaskProgress(CountySchoolModel):
    """A school's evidence for an evidenced task (note and files); the bureau may return it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已上报")
        RETURNED = "returned", _("退回补充")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress", verbose_name=_("任务"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    note = models.TextField(_("完成情况"), max_length=4000)
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("上报人")
    )
    submitted_at = models.DateTimeField(_("上报时间"))
    comment = models.CharField(_("退回意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务完成情况")
        verbose_name_plural = _("任务完成情况")
        ordering = ["task", "school"]
        constraints = [models.UniqueConstraint(fields=["task", "school"], name="campaign_progress_once")]

    @property
    def done(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ArticleState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("已采用")


@audited()
class Article(CountySchoolModel):
    """An experience article (经验材料): sanitised rich text, images as attachments."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="articles", verbose_name=_("专项行动")
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), max_length=60000)
    state = models.CharField(
        _("状态"), max_length=10, choices=ArticleState.choices, default=ArticleState.DRAFT
    )
    author = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("撰写人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("采用时间"), null=True, blank=True)
    # the booklet: accepted articles the bureau picked, in its order (None: not in it)
    booklet_order = models.PositiveSmallIntegerField(_("汇编顺序"), null=True, blank=True)

    class Meta:
        verbose_name = _("经验材料")
        verbose_name_plural = _("经验材料")
        ordering = ["campaign", "school", "-id"]
        indexes = [models.Index(fields=["campaign", "state"], name="cmp_article_state_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def editable(self) -> bool:
        return self.state in (ArticleState.DRAFT, ArticleState.RETURNED)


@audited()
class ArticleReview(CountySchoolModel):
    """One step of an article's review history: submitted, returned (with the comment), accepted."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        RETURN = "return", _("退回修改")
        ACCEPT = "accept", _("采用")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("经验材料")
    )
    action = models.CharField(_("动作"), max_length=8, choices=Action.choices)
    comment = models.CharField(_("意见"), max_length=1000, blank=True)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"))

    policy_resource = "campaigns.article"

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["article", "at", "id"]


def attachment_path(instance, filename: str) -> str:
    import secrets

    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"campaigns/{instance.school_id}/{secrets.token_hex(16)}.{ext}"


@audited()
class Attachment(CountySchoolModel):
    """A file of a task's evidence or an article's image, encrypted at rest (core.filecrypt)."""

    progress = models.ForeignKey(
        TaskProgress,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("任务"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("经验材料"),
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
