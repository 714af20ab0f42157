"""This app's duties on 工作台 (anxin.core.duties).

- ``oversight.post_gap``: an active supervision post with no shift, or with a shift no member
  of staff stands — owed by the school's safety leader until every shift is staffed;
- ``oversight.action``: an accountability action whose follow-up is not recorded — owed by the
  person named on it, due on its follow-up date.

Each provider runs a fixed number of queries whatever the number of duties.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import duties, policy, sqlcache
from anxin.core.roles import Role
from anxin.oversight.models import Action, Post


@duties.provider("oversight.post_gap")
def post_gaps(user, now):
    if not policy.can(user, "oversight.post.change"):
        return
    rows = sqlcache.rows(
        ("oversight.post_gap", *sqlcache.reader_key(user)),
        lambda: (
            Post.objects.restrict(user, "change")
            .filter(active=True)
            .annotate(n=Count("shifts"), bare=Count("shifts", filter=Q(shifts__staff__isnull=True)))
            .filter(Q(n=0) | Q(bare__gt=0))
            .only("id", "name", "school_id")
            .order_by("id")
        ),
    )
    for p in rows:
        detail = _("未安排值岗") if not p.n else _("%(n)s 个班次无教职工值岗") % {"n": p.bare}
        yield duties.Duty(
            kind="oversight.post_gap",
            title=_("监督岗缺岗：%(name)s") % {"name": p.name},
            detail=detail,
            url=reverse("oversight:post_detail", args=[p.pk]),
            post=Role.SAFETY_LEADER,
            owner=str(Role.SAFETY_LEADER.label),
            ref=f"oversight.post:{p.pk}",
            school_id=p.school_id,
            action=_("去排班"),
        )


@duties.provider("oversight.action")
def actions(user, now):
    if not policy.can(user, "oversight.action.follow"):
        return
    rows = sqlcache.rows(
        ("oversight.action", user.pk),
        lambda: (
            Action.objects.filter(owner=user, done_on__isnull=True)
            .only("id", "kind", "school_id", "follow_up_due", "reason")
            .order_by("follow_up_due", "id")
        ),
    )
    for a in rows:
        yield duties.Duty(
            kind="oversight.action",
            title=_("落实%(kind)s整改") % {"kind": a.get_kind_display()},
            detail=a.reason[:60],
            url=reverse("oversight:action_detail", args=[a.pk]),
            due=a.follow_up_due,
            owner=str(user),
            owner_ids=(user.pk,),
            ref=f"oversight.action:{a.pk}",
            school_id=a.school_id,
            action=_("记录整改"),
        )
