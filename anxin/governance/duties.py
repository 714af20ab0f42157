"""This app's duties on 工作台 (anxin.core.duties).

- ``governance.improvement``: an open 举一反三 item — owed by the school's safety leader (the
  post) until a new version of the named document, or a decision not to change it, closes it;
- ``governance.lesson``: a lesson assigned to a member of staff and not yet studied — owed by
  that person;
- ``governance.selfcheck``: a self-check begun and not yet submitted — owed by the safety leader.

Each provider runs one query whatever the number of duties.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import duties, policy, sqlcache
from anxin.core.roles import Role
from anxin.governance.models import Improvement, LessonAssignment, SelfCheck


@duties.provider("governance.improvement")
def improvements(user, now):
    if not policy.can(user, "governance.improvement.view"):
        return
    rows = sqlcache.rows(
        ("governance.improvement", *sqlcache.reader_key(user)),
        lambda: (
            Improvement.objects.restrict(user, "view")
            .filter(status=Improvement.Status.OPEN)
            .only("id", "document", "change", "school_id", "created_at")
            .order_by("created_at", "id")
        ),
    )
    for i in rows:
        yield duties.Duty(
            kind="governance.improvement",
            title=_("举一反三：完善%(doc)s") % {"doc": i.get_document_display()},
            detail=i.change[:60],
            url=reverse("governance:improvement_detail", args=[i.pk]),
            post=Role.SAFETY_LEADER,
            owner=str(Role.SAFETY_LEADER.label),
            ref=f"governance.improvement:{i.pk}",
            school_id=i.school_id,
            action=_("去完善"),
        )


@duties.provider("governance.lesson")
def lessons(user, now):
    if not policy.can(user, "governance.lessonassignment.study"):
        return
    rows = sqlcache.rows(
        ("governance.lesson", *sqlcache.reader_key(user)),
        lambda: (
            LessonAssignment.objects.filter(staff=user, studied_at__isnull=True, lesson__status="published")
            .select_related("lesson")
            .only("id", "school_id", "lesson__id", "lesson__title", "staff_id")
            .order_by("id")
        ),
    )
    for a in rows:
        yield duties.Duty(
            kind="governance.lesson",
            title=_("学习案例警示：%(title)s") % {"title": a.lesson.title},
            url=reverse("governance:lesson_detail", args=[a.lesson_id]),
            owner=str(user),
            owner_ids=(user.pk,),
            ref=f"governance.lessonassignment:{a.pk}",
            school_id=a.school_id,
            action=_("去学习"),
        )


@duties.provider("governance.selfcheck")
def selfchecks(user, now):
    if not policy.can(user, "governance.selfcheck.change"):
        return
    rows = sqlcache.rows(
        ("governance.selfcheck", *sqlcache.reader_key(user)),
        lambda: (
            SelfCheck.objects.restrict(user, "change")
            .filter(status=SelfCheck.Status.DRAFT)
            .only("id", "period", "school_id")
            .order_by("id")
        ),
    )
    for sc in rows:
        yield duties.Duty(
            kind="governance.selfcheck",
            title=_("完成并提交%(period)s自查") % {"period": sc.period},
            url=reverse("governance:selfcheck_detail", args=[sc.pk]),
            post=Role.SAFETY_LEADER,
            owner=str(Role.SAFETY_LEADER.label),
            ref=f"governance.selfcheck:{sc.pk}",
            school_id=sc.school_id,
            action=_("去自查"),
        )
