"""Intake's duties and figures on 工作台 (anxin.core.duties).

- ``intake.triage``: a report or concern waiting to be taken on (受理, R-RPT-4), owed by the
  school's triage staff within ``TRIAGE_WITHIN_HOURS``; new since the user last looked when it
  arrived after that;
- ``intake.emergency``: an emergency call nobody has answered — due at once.

The bureau sees no report contents: for it the untriaged reports are figures by age and
school (counts only). Each provider runs one query whatever the number of duties.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import duties, policy, sqlcache
from anxin.core.roles import Role
from anxin.intake.models import EmergencyRequest, EmergencyStatus, Report, Status


def triage_within() -> dt.timedelta:
    """How long a report may wait to be taken on before 工作台 shows it as overdue."""
    return dt.timedelta(hours=int(getattr(settings, "ANXIN_TRIAGE_WITHIN_HOURS", 24)))


@duties.provider("intake.triage")
def triage(user, now):
    if not policy.can(user, "intake.report.view"):
        return
    rows = sqlcache.rows(
        ("intake.triage", *sqlcache.reader_key(user)),
        lambda: (
            Report.objects.restrict(user, "view")
            .filter(status=Status.NEW)
            .select_related("owner", "school")
            .only(
                "id",
                "channel",
                "created_at",
                "school_id",
                "school__name",
                "owner_id",
                "owner__real_name",
                "owner__username",
                "urgency",
                "hint_words",
            )
            .order_by("created_at", "id")
        ),
    )
    for r in rows:
        yield duties.Duty(
            kind="intake.triage",
            priority=2,
            title=_("受理：%(channel)s #%(pk)s") % {"channel": r.get_channel_display(), "pk": r.pk},
            detail=_("含紧急提示词") if r.hint_words else "",
            url=reverse("intake:report_detail", args=[r.pk]),
            owner=str(r.owner) if r.owner_id else _("%(school)s 受理人员") % {"school": r.school.name},
            owner_ids=(r.owner_id,) if r.owner_id else (),
            post="" if r.owner_id else Role.SAFETY_LEADER,
            due=r.created_at + triage_within(),
            new=duties.is_new(user, r.created_at, now),
            ref=f"intake.report:{r.pk}",
            school_id=r.school_id,
            action=_("去受理"),
        )


@duties.provider("intake.emergency")
def emergencies(user, now):
    if not policy.can(user, "intake.emergencyrequest.view"):
        return
    rows = sqlcache.rows(
        ("intake.emergency", *sqlcache.reader_key(user)),
        lambda: (
            EmergencyRequest.objects.restrict(user, "view")
            .filter(status=EmergencyStatus.OPEN)
            .select_related("school")
            .only("id", "place", "created_at", "school_id", "school__name")
            .order_by("created_at", "id")
        ),
    )
    for e in rows:
        yield duties.Duty(
            kind="intake.emergency",
            priority=0,
            title=_("紧急求救：%(place)s") % {"place": e.place or _("地点未填")},
            detail=e.school.name,
            url=reverse("intake:emergency_detail", args=[e.pk]),
            owner=_("%(school)s 值班领导") % {"school": e.school.name},
            post=Role.SAFETY_LEADER,
            due=e.created_at,
            new=duties.is_new(user, e.created_at, now),
            ref=f"intake.emergencyrequest:{e.pk}",
            school_id=e.school_id,
            action=_("立即响应"),
        )


@duties.figure("intake")
def figures(user, now):
    roles = policy.user_roles(user)
    if Role.BUREAU_SAFETY not in roles or not policy.can(user, "intake.report.stats"):
        return []
    day = now - dt.timedelta(days=1)
    three = now - dt.timedelta(days=3)
    row = Report.objects.filter(county_id=user.county_id, status=Status.NEW).aggregate(
        n=Count("id"),
        day=Count("id", filter=Q(created_at__lt=day)),
        three=Count("id", filter=Q(created_at__lt=three)),
    )
    url = reverse("intake:county")
    return [
        duties.Figure(
            "intake.untriaged",
            _("未受理的举报"),
            row["n"],
            url,
            alert=row["day"] > 0,
            note=_("超过1天 %(day)s · 超过3天 %(three)s") % row,
        )
    ]
