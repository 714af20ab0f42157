"""The peer-relationship survey (同学关系状况): the survey, one-time codes, answers and the
classmates named in them."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope
from anxin.screening import risk_rules
from anxin.screening.models.rounds import ScreeningRound

# Codes used in the public survey and in class codes: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def random_code(n: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(n))


def _class_code() -> str:
    return random_code(6)


# --- peer-relationship survey (同学关系状况) ---------------------------------------------------


class BehaviourType(models.TextChoices):
    """The five behaviour types (SPR 21; LAW.md definitions)."""

    PHYSICAL = "physical", _("肢体欺凌（殴打、脚踢、掌掴、推撞、恐吓威胁）")
    VERBAL = "verbal", _("言语欺凌（辱骂、讥讽、起侮辱性绰号）")
    PROPERTY = "property", _("财物欺凌（抢夺、强拿硬要、毁坏财物）")
    EXCLUSION = "exclusion", _("排斥孤立（恶意排斥、孤立）")
    CYBER = "cyber", _("网络欺凌（诽谤、散布谣言、恶意传播隐私）")


BEHAVIOUR_SHORT = {
    "physical": _("肢体"),
    "verbal": _("言语"),
    "property": _("财物"),
    "exclusion": _("排斥孤立"),
    "cyber": _("网络"),
}


class Frequency(models.IntegerChoices):
    NEVER = risk_rules.FREQ_NEVER, _("没有")
    ONCE = risk_rules.FREQ_ONCE, _("一两次")
    MONTHLY = risk_rules.FREQ_MONTHLY, _("每月几次")
    WEEKLY = risk_rules.FREQ_WEEKLY, _("每周都有")


class Place(models.TextChoices):
    CLASSROOM = "classroom", _("教室")
    CORRIDOR = "corridor", _("走廊、楼梯")
    TOILET = "toilet", _("厕所")
    PLAYGROUND = "playground", _("操场")
    CANTEEN = "canteen", _("食堂")
    DORM = "dorm", _("宿舍")
    GATE = "gate", _("校门口")
    ROUTE = "route", _("上下学路上")
    ONLINE = "online", _("网上（QQ、微信群等）")
    OTHER = "other", _("其他地方")


class TimeSlot(models.TextChoices):
    BEFORE_SCHOOL = "before", _("上学前")
    BREAK = "break", _("课间")
    LUNCH = "lunch", _("午饭、午休")
    AFTER_SCHOOL = "after", _("放学后")
    EVENING = "evening", _("晚自习、熄灯后")
    WEEKEND = "weekend", _("周末、节假日")


@audited()
class PeerSurvey(CountySchoolModel):
    """An optional class questionnaire on 同学关系状况. Students answer on a phone with the
    class code and a one-time personal code, without an account, once each. Results are
    for the class teacher, the counsellor and the safety leader only."""

    class Status(models.TextChoices):
        OPEN = "open", _("收集中")
        CLOSED = "closed", _("已结束")

    klass = models.ForeignKey(
        "org.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("班级")
    )
    round = models.ForeignKey(
        ScreeningRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("排查轮次"),
    )
    title = models.CharField(_("名称"), max_length=80, default="同学关系状况问卷")
    class_code = models.CharField(_("班级码"), max_length=8, unique=True, default=_class_code)
    opens_on = models.DateField(_("开始日期"), default=timezone.localdate)
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )

    scope = Scope(klass="klass_id")

    class Meta:
        verbose_name = _("同学关系问卷")
        verbose_name_plural = _("同学关系问卷")
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["klass", "-opens_on"], name="scr_survey_class_idx")]

    def __str__(self) -> str:
        return self.title


class SurveyToken(models.Model):
    """A one-time personal code (答题码) of one student for one survey, printed on a slip.
    Not audited: created in bulk with the survey; using it is recorded by the response.
    Carries the survey's county and school keys like every table of school data (GUIDE
    principle 7; ``anxin/core/tests/test_scale_keys.py``)."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    survey = models.ForeignKey(PeerSurvey, on_delete=models.CASCADE, related_name="tokens")
    student = models.ForeignKey("roster.Student", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=8)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("答题码")
        constraints = [
            models.UniqueConstraint(fields=["survey", "student"], name="survey_token_student_unique"),
            # the public page looks a code up within the survey named by the class code
            models.UniqueConstraint(fields=["survey", "code"], name="survey_token_code_unique"),
        ]


# Answers are confidential (class teacher, counsellor, safety leader): the audit trail records
# that an answer was saved, not what it says.
@audited(masked=("victim", "witnessed", "places", "times", "feels_safe", "wants_help", "note"))
class SurveyResponse(CountySchoolModel):
    """One student's answers. The database allows one answer per student per survey."""

    survey = models.ForeignKey(
        PeerSurvey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("问卷")
    )
    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("学生")
    )
    klass = models.ForeignKey(
        "org.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("班级")
    )
    # {behaviour type: Frequency} — "本学期你遇到过下面的情况吗？"
    victim = models.JSONField(_("遭受情况"), default=dict)
    # behaviour types the student saw happen to classmates
    witnessed = models.JSONField(_("看到同学遭受"), default=list)
    places = models.JSONField(_("发生地点"), default=list)
    times = models.JSONField(_("发生时间"), default=list)
    feels_safe = models.BooleanField(_("在学校感到安全"), default=True)
    wants_help = models.BooleanField(_("希望老师帮助"), default=False)
    note = models.CharField(_("想对老师说的话"), max_length=300, blank=True)

    scope = Scope(klass="klass_id")

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "student"], name="survey_response_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.student_id}"

    @property
    def victim_max(self) -> int:
        return max((int(v) for v in (self.victim or {}).values()), default=0)


class Nomination(CountySchoolModel):
    """A peer nomination in an answer: "课间你常和谁在一起" (friend) or "谁经常被孤立" (isolated).
    Saved with its response (audited there)."""

    class Kind(models.TextChoices):
        FRIEND = "friend", _("课间常在一起")
        ISOLATED = "isolated", _("经常被孤立")

    survey = models.ForeignKey(PeerSurvey, on_delete=models.CASCADE, related_name="nominations")
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="nominations")
    nominator = models.ForeignKey("roster.Student", on_delete=models.CASCADE, related_name="+")
    nominee = models.ForeignKey("roster.Student", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    klass = models.ForeignKey("org.SchoolClass", on_delete=models.PROTECT, related_name="+")

    scope = Scope(klass="klass_id")
    policy_resource = "screening.surveyresponse"

    class Meta:
        verbose_name = _("同伴提名")
        constraints = [
            models.UniqueConstraint(fields=["response", "nominee", "kind"], name="nomination_unique"),
        ]
        indexes = [
            # the engine counts incoming nominations per survey
            models.Index(fields=["survey", "nominee", "kind"], name="scr_nomination_idx"),
        ]
