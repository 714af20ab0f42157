"""Hazard points and their 人防/物防/技防 measures (R-SCR-5); monitoring zones and cameras."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope

# --- hazard points and monitoring (R-SCR-5, R-SCR-6) -----------------------------------------------


class HazardKind(models.TextChoices):
    TOILET = "toilet", _("厕所")
    STAIRS = "stairs", _("楼梯间、走廊拐角")
    DORM = "dorm", _("宿舍")
    PLAYGROUND = "playground", _("操场角落、器材室")
    CANTEEN = "canteen", _("食堂")
    BLIND_SPOT = "blind_spot", _("偏僻角落、监控盲区")
    GATE = "gate", _("校门周边")
    ROUTE = "route", _("上下学路段")
    SHOP = "shop", _("周边网吧、商店、出租屋")
    OTHER = "other", _("其他")


class RiskGrade(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class MeasureType(models.TextChoices):
    """人防、物防、技防 (seed 三 第三阶段 “立体体系”)."""

    PEOPLE = "people", _("人防")
    PHYSICAL = "physical", _("物防")
    TECH = "tech", _("技防")


@audited()
class HazardPoint(CountySchoolModel):
    """A place in or around a school where bullying may happen (隐患点 / 易发生欺凌地点), with
    time windows, risk, an owner and a due date (制定防范措施、及时消除, R-SCR-5)."""

    class Location(models.TextChoices):
        INSIDE = "inside", _("校内")
        AROUND = "around", _("校园周边")

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        CONTROLLED = "controlled", _("已管控")
        ELIMINATED = "eliminated", _("已消除")

    name = models.CharField(_("地点"), max_length=80)
    location = models.CharField(_("位置"), max_length=8, choices=Location.choices, default=Location.INSIDE)
    kind = models.CharField(_("类型"), max_length=12, choices=HazardKind.choices)
    time_windows = models.CharField(
        _("易发时段"), max_length=100, blank=True, help_text=_("如：课间、午休、放学后")
    )
    risk = models.CharField(_("风险"), max_length=8, choices=RiskGrade.choices, default=RiskGrade.MEDIUM)
    description = models.TextField(_("隐患情况"), max_length=1000, blank=True)
    found_on = models.DateField(_("发现日期"), default=timezone.localdate)
    owner = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    due_date = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    # the public report form offers the school's places by name (never status, risk or owner);
    # a name that should stay internal is kept off it, and 监控盲区 are never listed
    listed_for_reporters = models.BooleanField(
        _("列在举报页"),
        default=True,
        help_text=_(
            "学生举报时可在“在哪里”中选这个地点（只显示名称）。名称含不宜公开的内容时请取消勾选；监控盲区一律不列出。"
        ),
    )

    scope = Scope(class_sees_school=True)

    class Meta:
        verbose_name = _("隐患点")
        verbose_name_plural = _("隐患点台账")
        ordering = ["school", "status", "-risk", "name"]
        indexes = [models.Index(fields=["school", "status"], name="scr_hazard_school_idx")]

    def __str__(self) -> str:
        return self.name


@audited()
class HazardMeasure(CountySchoolModel):
    """A measure against a hazard, typed 人防 / 物防 / 技防, with its owner and due date."""

    hazard = models.ForeignKey(
        HazardPoint, on_delete=models.CASCADE, related_name="measures", verbose_name=_("隐患点")
    )
    type = models.CharField(_("类型"), max_length=10, choices=MeasureType.choices)
    description = models.CharField(_("措施"), max_length=300)
    owner = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    done_on = models.DateField(_("落实日期"), null=True, blank=True)

    scope = Scope(class_sees_school=True)
    policy_resource = "screening.hazardpoint"

    class Meta:
        verbose_name = _("防范措施")
        verbose_name_plural = _("防范措施")
        ordering = ["hazard", "type", "id"]
        indexes = [models.Index(fields=["school", "type"], name="scr_measure_school_idx")]

    def __str__(self) -> str:
        return f"{self.get_type_display()}：{self.description}"


@audited()
class MonitoringZone(CountySchoolModel):
    """A monitored zone (监控区域), e.g. 教学楼东侧, 宿舍区."""

    name = models.CharField(_("区域"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    scope = Scope()
    policy_resource = "screening.camera"

    class Meta:
        verbose_name = _("监控区域")
        verbose_name_plural = _("监控区域")
        ordering = ["school", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="monitoring_zone_unique")]

    def __str__(self) -> str:
        return self.name


@audited()
class Camera(CountySchoolModel):
    """A camera, its zone and the hazard points it covers."""

    name = models.CharField(_("名称或编号"), max_length=60)
    zone = models.ForeignKey(
        MonitoringZone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cameras",
        verbose_name=_("区域"),
    )
    location = models.CharField(_("安装位置"), max_length=100, blank=True)
    working = models.BooleanField(_("正常运行"), default=True)
    covers = models.ManyToManyField(
        HazardPoint, blank=True, related_name="cameras", through="CameraCover", verbose_name=_("覆盖隐患点")
    )

    scope = Scope()

    class Meta:
        verbose_name = _("监控摄像头")
        verbose_name_plural = _("监控摄像头")
        ordering = ["school", "zone", "name"]

    def __str__(self) -> str:
        return self.name


class CameraCover(models.Model):
    """A hazard point a camera covers (``Camera.covers``), with the camera's county and school
    keys like every table of school data (GUIDE principle 7). Rows come from
    ``camera.covers.set(points, through_defaults=keys_of(camera))``."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="+")
    hazardpoint = models.ForeignKey(HazardPoint, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "screening_camera_covers"  # the table of the former implicit join
        verbose_name = _("覆盖隐患点")
        unique_together = [("camera", "hazardpoint")]
