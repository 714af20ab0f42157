"""Emergency help (R-RPT-2): the call, the page to the on-duty leaders, acknowledgement and
escalation; and the on-duty roster itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.core.notify import notify
from anxin.core.roles import Role
from anxin.intake import codes, conf
from anxin.intake.models import (
    Channel,
    DutyLeader,
    EmergencyRequest,
    EmergencyStatus,
)

from .common import _holders, bureau_safety, clean_text, principals


# --- emergency help (R-RPT-2) ---------------------------------------------------------------
def on_duty_leaders(school, at: datetime | None = None) -> list:
    """Who is on duty at ``at``: the roster's entries covering that moment; if none is
    configured or none covers it, the safety leader and the principal."""
    local = (at or clock.now()).astimezone(clock.SHANGHAI)
    entries = DutyLeader.objects.filter(school=school).select_related("user")
    users = [e.user for e in entries if e.covers(local) and e.user.is_active]
    if not users:
        users = _holders(school, [Role.SAFETY_LEADER, Role.PRINCIPAL])
    return list({u.pk: u for u in users}.values())


def raise_emergency(
    *, school, place: str = "", channel: str = Channel.FORM, suspect: bool = False
) -> tuple[EmergencyRequest, str]:
    """One tap: store the request and alert the on-duty leaders at once on every channel.
    ``suspect`` (its device was over the emergency limit): still stored and shown to them at
    once, flagged, with one SMS per school and window instead of one each (a flood of fake
    requests cannot page the leaders thirty times). Returns the request and the token of its
    status link (shown once)."""
    place = clean_text(place, label=_("地点"), max_chars=100)
    token = codes.new_token()
    with transaction.atomic():
        em = EmergencyRequest.objects.create(
            county_id=school.county_id,
            school=school,
            place=place,
            channel=channel,
            token_hash=codes.token_hash(token),
            suspect=suspect,
        )
        # nobody reachable at the school (no roster, no leader accounts): the bureau at once
        _alert_emergency(em, on_duty_leaders(school) or bureau_safety(school.county_id), level=0)
    return em, token


def _flood_window(now: datetime | None = None) -> int:
    return int((now or clock.now()).timestamp()) // (conf.emergency_page_window_minutes() * 60)


def _alert_emergency(
    em: EmergencyRequest, recipients: list, *, level: int, now: datetime | None = None
) -> list:
    prefix = {0: "", 1: _("【超时未响应，升级至校长】"), 2: _("【超时未响应，升级至教体局】")}[level]
    title = prefix + _("紧急求救：%(school)s") % {"school": em.school.name}
    if em.suspect:
        title = _("【疑似恶意刷屏】") + title
    made = notify(
        recipients,
        kind="emergency",
        title=title,
        body=_("地点：%(place)s。请立即到场处置，并在系统中点“已响应”。")
        % {"place": em.place or _("未填写")},
        url=reverse("intake:emergency_detail", args=[em.pk]),
        dedupe_key=f"intake:emergency:{em.pk}:level:{level}",
        school=em.school,
        channels=("inapp",) if em.suspect else ("inapp", "email", "sms"),
    )
    if em.suspect:
        # one page per school, level and window for all flagged requests (dedupe key)
        notify(
            recipients,
            kind="emergency",
            title=prefix
            + _("紧急求救：%(school)s 短时间内收到多条求救，可能有人恶意刷屏，请登录系统逐条查看")
            % {"school": em.school.name},
            url=reverse("intake:emergency_list"),
            dedupe_key=f"intake:emergency-flood:{em.school_id}:{level}:{_flood_window(now)}",
            school=em.school,
            channels=("inapp", "sms"),
        )
    return made


def emergency_by_token(school, token: str) -> EmergencyRequest | None:
    if not token or len(token) > 64:
        return None
    return EmergencyRequest.objects.filter(school=school, token_hash=codes.token_hash(token)).first()


def acknowledge_emergency(em: EmergencyRequest, *, by, note: str = "") -> EmergencyRequest:
    note = clean_text(note, label=_("处置情况"), max_chars=300)
    with transaction.atomic():
        locked = EmergencyRequest.objects.select_for_update().get(pk=em.pk)
        if locked.status == EmergencyStatus.ACKNOWLEDGED:
            raise ValidationError(_("已有人响应：%(who)s") % {"who": locked.acknowledged_by})
        locked.status = EmergencyStatus.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = by
        locked.ack_note = note
        locked.save()
    return locked


def escalate_emergencies(now: datetime | None = None) -> int:
    """The periodic sweep: an open request unacknowledged for the set minutes goes to the
    principal; as long again, to the bureau's safety staff. Idempotent: each level is reached
    once (row lock + level check) and each notice has a dedupe key, so running the sweep twice
    sends nothing twice. Returns the number of escalations made."""
    now = now or clock.now()
    step = timedelta(minutes=conf.escalate_minutes())
    due = EmergencyRequest.objects.filter(
        status=EmergencyStatus.OPEN, level__lt=2, created_at__lte=now - step
    )
    done = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            em = EmergencyRequest.objects.select_for_update().select_related("school").get(pk=pk)
            if em.status != EmergencyStatus.OPEN:
                continue
            if em.level == 0 and now - em.created_at >= step:
                _alert_emergency(em, principals(em.school), level=1, now=now)
                em.level = 1
                em.escalated_principal_at = now
                em.save(update_fields=["level", "escalated_principal_at", "updated_at"])
                done += 1
            elif em.level == 1 and em.escalated_principal_at and now - em.escalated_principal_at >= step:
                _alert_emergency(em, bureau_safety(em.county_id), level=2, now=now)
                em.level = 2
                em.escalated_bureau_at = now
                em.save(update_fields=["level", "escalated_bureau_at", "updated_at"])
                done += 1
    return done


# --- on-duty roster -------------------------------------------------------------------------
def add_duty(*, by, school, user, weekday: int | None, starts_at, ends_at, note: str = "") -> DutyLeader:
    if not any(m.school_id == school.pk for m in _memberships_of(user)):
        raise ValidationError({"user": [_("值班人员须在本校任职。")]})
    note = clean_text(note, label=_("备注"), max_chars=60)
    return DutyLeader.objects.create(
        county_id=school.county_id,
        school=school,
        user=user,
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
    )


def _memberships_of(user) -> list:
    from anxin.accounts.models import Membership

    return list(Membership.objects.active().filter(user=user))


def remove_duty(entry: DutyLeader, *, by) -> None:
    entry.delete()  # a roster line is configuration; the audit trail keeps the deleted row
