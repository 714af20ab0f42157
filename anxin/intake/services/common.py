"""Shared by every stage of the reporting channels: text checks, recipients, who may triage."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from anxin.core import audit, policy
from anxin.core.roles import Role
from anxin.intake.data import Behaviour
from anxin.intake.models import (
    AUDIT_EXCLUDE,
    CONTENT_FIELDS,
)

log = logging.getLogger("anxin.intake.services")  # the name it had as one module

TRIAGE_PERM = "intake.report.change"
# how a report's creation is logged when written in bulk (same as @audited on the model)
REPORT_AUDIT = audit.AuditSpec(exclude=frozenset(AUDIT_EXCLUDE), masked=frozenset(CONTENT_FIELDS))
MIN_REASON_CHARS = 4


# --- text checks shared by every channel ----------------------------------------------------
def clean_text(value: str | None, *, label: str, max_chars: int, required: bool = False) -> str:
    """Refuse what cannot be stored faithfully: invalid UTF-8 (decoded as U+FFFD), lone
    surrogates from JSON, NUL characters, and text over the limit. HTML is kept as typed
    (it is escaped wherever it is shown)."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("请填写%(label)s。") % {"label": label})
    if "\ufffd" in value:
        raise ValidationError(_("%(label)s含有无法识别的字符（编码错误），请重新输入。") % {"label": label})
    if "\x00" in value:
        raise ValidationError(_("%(label)s含有不允许的控制字符。") % {"label": label})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            _("%(label)s含有无法识别的字符（编码错误），请重新输入。") % {"label": label}
        ) from None
    if len(value) > max_chars:
        raise ValidationError(
            _("%(label)s太长：最多 %(max)d 个字，现在有 %(n)d 个字。")
            % {"label": label, "max": max_chars, "n": len(value)}
        )
    return value


def _choice(value: str | None, choices, label: str) -> str:
    value = (value or "").strip()
    if value and value not in choices.values:
        raise ValidationError(_("%(label)s的选项无效。") % {"label": label})
    return value


def _behaviours(values: Iterable[str] | None) -> list[str]:
    out = []
    for v in values or ():
        if v not in Behaviour.values:
            raise ValidationError(_("行为类型的选项无效。"))
        if v not in out:
            out.append(v)
    return out


def _collect(checks: dict) -> dict:
    """Run each field's check; raise one ValidationError naming every bad field."""
    cleaned, errors = {}, {}
    for field, fn in checks.items():
        try:
            cleaned[field] = fn()
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- recipients -----------------------------------------------------------------------------
def _holders(school, roles: Iterable[str]) -> list:
    from anxin.accounts.models import Membership

    ms = Membership.objects.active().filter(school=school, role__in=list(roles)).select_related("user")
    return [m.user for m in ms if m.user.is_active]


def triagers(school) -> list:
    """Who is told about new items: the safety leader and middle managers (R-RPT-4)."""
    return _holders(school, [Role.SAFETY_LEADER, Role.MIDDLE_MANAGER])


def principals(school) -> list:
    return _holders(school, [Role.PRINCIPAL])


def bureau_safety(county_id: int) -> list:
    from anxin.accounts.models import Membership

    ms = Membership.objects.active().filter(county_id=county_id, role=Role.BUREAU_SAFETY, school__isnull=True)
    return [m.user for m in ms.select_related("user") if m.user.is_active]


def may_triage(user, school) -> bool:
    """Does ``user`` hold the triage right at ``school``?"""
    schools = policy.schools_for(user, TRIAGE_PERM)
    if schools is None:  # a county-level holder
        return any(m.county_id == school.county_id for m in policy.memberships(user))
    return school.pk in schools
