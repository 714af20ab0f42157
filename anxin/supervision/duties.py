"""This app's duties on 工作台 (anxin.core.duties).

- ``supervision.visit``: a planned visit not yet completed — owed by its supervisor (a joint
  inspection's school visits: by the inspection's lead);
- ``supervision.rectification``: a rectification item open or sent back — owed by the school's
  safety leader (the post), due on the item's date;
- ``supervision.verify``: a rectification the school reported done — owed by the supervisor who
  led the visit, due within VERIFY_DAYS;
- ``supervision.referral``: a referral awaiting its outcome — owed by its recipient (法治副校长,
  联络员), or by the school's referrer when the unit has no account on the platform or the
  recipient's post has ended.

Each provider runs one query whatever the number of duties.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock, duties, policy, sqlcache
from anxin.core.roles import Role
from anxin.supervision.models import RectificationItem, Referral, Visit

VERIFY_DAYS = 7
RS = RectificationItem.Status


@duties.provider("supervision.visit")
def visits(user, now):
    rows = sqlcache.rows(
        ("supervision.visit", user.pk),
        lambda: (
            Visit.objects.filter(supervisor=user, status=Visit.Status.PLANNED)
            .select_related("school")
            .only("id", "planned_on", "school_id", "school__name", "supervisor_id", "inspection_id")
            .order_by("planned_on", "id")
        ),
    )
    for v in rows:
        yield duties.Duty(
            kind="supervision.visit",
            title=_("督导%(school)s并完成评分") % {"school": v.school.name},
            url=reverse("supervision:visit_detail", args=[v.pk]),
            due=v.planned_on,
            owner=str(user),
            owner_ids=(user.pk,),
            ref=f"supervision.visit:{v.pk}",
            school_id=v.school_id,
            action=_("去督导"),
        )


@duties.provider("supervision.rectification")
def rectifications(user, now):
    if not policy.can(user, "supervision.rectificationitem.respond"):
        return
    rows = sqlcache.rows(
        ("supervision.rectification", *sqlcache.reader_key(user)),
        lambda: (
            RectificationItem.objects.restrict(user, "respond")
            .filter(status__in=(RS.OPEN, RS.RETURNED))
            .only("id", "problem", "due_date", "school_id", "status")
            .order_by("due_date", "id")
        ),
    )
    for r in rows:
        title = _("督导整改（已退回）") if r.status == RS.RETURNED else _("督导整改")
        yield duties.Duty(
            kind="supervision.rectification",
            title=title,
            detail=r.problem[:60],
            url=reverse("supervision:rectification_detail", args=[r.pk]),
            due=r.due_date,
            post=Role.SAFETY_LEADER,
            owner=str(Role.SAFETY_LEADER.label),
            ref=f"supervision.rectificationitem:{r.pk}",
            school_id=r.school_id,
            action=_("去整改"),
        )


@duties.provider("supervision.verify")
def verifications(user, now):
    rows = sqlcache.rows(
        ("supervision.verify", user.pk),
        lambda: (
            RectificationItem.objects.filter(status=RS.SUBMITTED, visit__supervisor=user)
            .select_related("school")
            .only("id", "problem", "submitted_at", "school_id", "school__name")
            .order_by("submitted_at", "id")
        ),
    )
    for r in rows:
        due = clock.local_date(r.submitted_at) + dt.timedelta(days=VERIFY_DAYS) if r.submitted_at else None
        yield duties.Duty(
            kind="supervision.verify",
            title=_("核验%(school)s的整改") % {"school": r.school.name},
            detail=r.problem[:60],
            url=reverse("supervision:rectification_detail", args=[r.pk]),
            due=due,
            owner=str(user),
            owner_ids=(user.pk,),
            ref=f"supervision.verify:{r.pk}",
            school_id=r.school_id,
            action=_("去核验"),
        )


@duties.provider("supervision.referral")
def referrals(user, now):
    from anxin.accounts.models import Membership

    def build(today):
        # a recipient whose post has ended answers no more: the school that referred records it
        answers = Membership.objects.active(today).filter(
            user_id=OuterRef("recipient_id"),
            user__is_active=True,
            role__in=list(policy.roles_with("supervision.referral.respond")),
        )
        mine = Q(referred_by=user) & (Q(recipient__isnull=True) | ~Exists(answers))
        if policy.can(user, "supervision.referral.respond"):
            mine |= Q(recipient=user)
        return (
            Referral.objects.filter(mine, status__in=(Referral.Status.SENT, Referral.Status.RECEIVED))
            .select_related("unit")
            .only("id", "reason", "respond_by", "school_id", "unit__name", "recipient_id")
            .order_by("respond_by", "id")
        )

    key = ("supervision.referral", *sqlcache.reader_key(user))
    rows = sqlcache.rows(key, build, clock.local_date(now))
    for r in rows:
        if r.recipient_id == user.pk:
            title = _("转介事项待反馈：%(reason)s") % {"reason": r.get_reason_display()}
        else:
            title = _("登记%(unit)s的转介处理结果") % {"unit": r.unit.name}
        yield duties.Duty(
            kind="supervision.referral",
            title=title,
            url=reverse("supervision:referral_detail", args=[r.pk]),
            due=r.respond_by,
            owner=str(user),
            owner_ids=(user.pk,),
            ref=f"supervision.referral:{r.pk}",
            school_id=r.school_id,
            action=_("去反馈"),
        )
