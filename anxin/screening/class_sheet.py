"""The class screening sheet without rubber stamps (issue 11 item 5).

Rows start empty; a row is certified by choosing its three assessments or by its own
"全部正常" chip. "本班其余全部正常" fills the class's remaining rows at once, but refuses —
server side, naming them — every student the platform already has reason to look at: an open
survey flag, a risk level of 橙 or above, or an open case. Those are screened one by one.

``round_class`` (screening.views) calls :func:`expand_post` and :func:`context`; the bulk
action is its own view here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.core import audit
from anxin.core.access import get_for_user
from anxin.screening.models import Mood, Peers, Psych, ScreeningRecord, ScreeningRound
from anxin.screening.risk_rules import LEVEL_LABELS, LEVEL_RANK, ORANGE

ALL_NORMAL = {"psych": Psych.GOOD, "mood": Mood.STABLE, "peers": Peers.HARMONIOUS}
ALL_NORMAL_FIELD = "all_normal"


def expand_post(post):
    """A row posted with its "全部正常" chip: the three assessments set to normal."""
    if not post.get(ALL_NORMAL_FIELD):
        return post
    post = post.copy()
    for name, value in ALL_NORMAL.items():
        post[name] = value
    return post


def reasons_to_look(student_ids) -> dict[int, list[str]]:
    """{student id: why this student must be screened one by one} (five queries at most)."""
    from anxin.screening import disclosure
    from anxin.screening.models import RiskState

    ids = list(student_ids)
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    for sid, labels in disclosure.open_flags_for_students(ids).items():
        out.setdefault(sid, []).extend(labels)  # each reads 问卷自述：… / 想对老师说的话：…
    for sid, level in RiskState.objects.filter(
        student_id__in=ids, level__in=[lv for lv, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[ORANGE]]
    ).values_list("student_id", "level"):
        out.setdefault(sid, []).append(_("风险等级%(level)s") % {"level": LEVEL_LABELS[level]})
    for sid in _with_open_case(ids):
        out.setdefault(sid, []).append(_("有未结案的欺凌事件"))
    return out


def _with_open_case(ids) -> set[int]:
    from django.apps import apps

    if not apps.is_installed("anxin.cases"):  # a deployment without cases
        return set()
    CaseParty = apps.get_model("cases", "CaseParty")  # noqa: N806 — through the registry (layers)
    return set(
        CaseParty.objects.filter(student_id__in=ids)
        .exclude(case__state="closed")
        .values_list("student_id", flat=True)
    )


def context(request, round_, klass, students, records) -> dict:
    """What the sheet adds to the class page: the reasons per row, the filter, the counter."""
    todo = request.GET.get("todo") == "1"
    look = reasons_to_look(s.pk for s in students)
    return {
        "look": look,
        "todo": todo,
        "n_todo": sum(1 for s in students if s.pk not in records),
        # students "本班其余全部正常" would fill: none left means no button
        "n_bulk": sum(1 for s in students if s.pk not in records and s.pk not in look),
        "bulk_url": reverse("screening:round_class_normal", args=[round_.pk, klass.pk]),
        "sheet_js": True,
    }


@require_POST
@login_required
def bulk_normal(request, pk, klass_pk):
    """本班其余全部正常: every student without a record yet, except those to look at one by one."""
    from anxin.org.models import SchoolClass
    from anxin.screening import services
    from anxin.screening.views.rounds import _class_allowed

    r = get_for_user(request, ScreeningRound, pk, "view")
    klass = SchoolClass.objects.filter(pk=klass_pk, school_id=r.school_id).select_related("grade").first()
    if klass is None or not _class_allowed(request.user, r, klass.pk, "view"):
        raise Http404
    back = reverse("screening:round_class", args=[r.pk, klass.pk])
    if not (r.is_open and _class_allowed(request.user, r, klass.pk, "change")):
        audit.append(
            "denied",
            object_type="screening.screeningrecord",
            object_id=klass.pk,
            result="denied",
            data={"perm": "screening.screeningrecord.change"},
        )
        messages.error(request, _("本轮排查已完成或你无权修改。"))
        return HttpResponseRedirect(back)
    students = list(services.class_students(r, klass))
    done = set(
        ScreeningRecord.objects.filter(round=r, student_id__in=[s.pk for s in students]).values_list(
            "student_id", flat=True
        )
    )
    remaining = [s for s in students if s.pk not in done]
    look = reasons_to_look(s.pk for s in remaining)
    filled = 0
    try:
        with transaction.atomic():
            for s in remaining:
                if s.pk in look:
                    continue
                services.save_record(by=request.user, round=r, student=s, data=dict(ALL_NORMAL))
                filled += 1
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(back)
    if filled:
        messages.success(request, _("已将 %(n)s 名学生记为全部正常。") % {"n": filled})
    refused = [s for s in remaining if s.pk in look]
    if refused:
        names = "；".join(f"{s.name}（{'，'.join(look[s.pk])}）" for s in refused)
        messages.error(
            request,
            _("以下 %(n)s 名学生不能一键记为正常，请逐一排查：%(names)s")
            % {"n": len(refused), "names": names},
        )
        return HttpResponseRedirect(back + "?todo=1")
    return HttpResponseRedirect(back)
