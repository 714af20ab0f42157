"""Duties and notices of survey disclosures (see ``anxin.screening.disclosure``).

Imported from ``ScreeningConfig.ready``: registers the ``screening.survey_disclosure``
provider and connects the receiver that tells the class teacher and the counsellor in the
same request that saved the answer.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock, duties, policy, sqlcache
from anxin.core.roles import ROLE_SCOPE, ScopeLevel
from anxin.screening import disclosure

KIND = "screening.survey_disclosure"


def _owner_q(user) -> Q | None:
    parts = []
    for m in policy.memberships(user):
        if m.role not in disclosure.NOTIFY_ROLES:
            continue
        if ROLE_SCOPE[m.role] == ScopeLevel.CLASS and m.klass_id:
            parts.append(Q(klass_id=m.klass_id))
        elif ROLE_SCOPE[m.role] == ScopeLevel.SCHOOL and m.school_id:
            parts.append(Q(school_id=m.school_id))
    if not parts:
        return None
    q = parts[0]
    for p in parts[1:]:
        q |= p
    return q


@duties.provider(KIND)
def survey_disclosures(user, now):
    q = _owner_q(user)
    if q is None:
        return
    for f in disclosure.open_flags(q, now, key=sqlcache.reader_key(user)):
        st = f.student
        k = st.klass
        yield duties.Duty(
            kind=KIND,
            title=_("%(name)s在问卷中反映遭受欺凌：请谈心") % {"name": st.name},
            url=reverse("roster:student_detail", args=[st.pk]),
            owner=_("班主任、心理教师"),
            due=clock.local_date(f.at),  # at once: the same day
            detail=(f"{k.grade.name}{k.name} · " if k else "") + "；".join(f.labels),
            ref=f"screening.surveyresponse:{f.response_id}",
            new=True,
            school_id=st.school_id,
            extra={"student_id": st.pk, "urgent": f.urgent},
        )


def response_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or not created:
        return
    disclosure.notify_disclosure(instance)


def _connect() -> None:
    from anxin.screening.models import SurveyResponse

    post_save.connect(response_saved, sender=SurveyResponse, dispatch_uid="screening-survey-disclosure")


_connect()
