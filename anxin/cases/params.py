"""A county's legal parameters (SPEC R-Q-7): read them, and set a new version.

The definitions are the table :data:`anxin.cases.law.parameters.PARAMETERS`; the values are
:class:`~anxin.cases.models.LegalParameterVersion` rows. Only the county's administrator
(``bureau_admin``) sets a version; it takes effect on a date not before today, never changes a
version already saved, and cases opened before keep the version they were opened under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from anxin.cases.law import settings as law_settings
from anxin.cases.law.parameters import PARAMETERS, Parameter, display, validate
from anxin.cases.law.sources import cite
from anxin.cases.models import LegalParameterVersion
from anxin.cases.services import Refused
from anxin.core import clock, policy


@dataclass(frozen=True)
class Row:
    """One parameter as the county's page and the API show it."""

    param: Parameter
    value: Any
    law_default: Any
    deployment_default: Any

    @property
    def key(self) -> str:
        return self.param.key

    @property
    def shown(self) -> str:
        return display(self.param, self.value)

    @property
    def default_shown(self) -> str:
        return display(self.param, self.law_default)

    @property
    def sources(self) -> str:
        return "；".join(cite(s.strip()) for s in self.param.source.split(";"))

    @property
    def changed(self) -> bool:
        return self.value != self.law_default

    def as_dict(self) -> dict:
        p = self.param
        return {
            "key": p.key,
            "label": p.label,
            "type": p.kind,
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "default": list(p.default) if isinstance(p.default, tuple) else p.default,
            "min": p.min,
            "max": p.max,
            "unit": p.unit,
            "choices": [c for c, _l in p.choices],
            "rule": p.rule,
            "source": p.source,
            "source_text": self.sources,
        }


def rows(county_id: int, on: dt.date | None = None) -> list[Row]:
    """Every parameter with the county's value in force on ``on`` (today by default)."""
    return [
        Row(
            p,
            law_settings.get(p.key, county_id=county_id, on=on),
            p.default,
            law_settings.deployment(p.key),
        )
        for p in PARAMETERS
    ]


def case_rows(case) -> list[tuple[str, str]]:
    """(label, value shown) of every legal parameter as ``case`` keeps it: the county's version
    in force when the case was opened, or the deployment's defaults (R-Q-7; the case page)."""
    return [(p.label, display(p, law_settings.get(p.key, case=case))) for p in PARAMETERS]


def versions(county_id: int):
    return LegalParameterVersion.objects.filter(county_id=county_id).select_related("created_by")


def set_version(
    *, by, county_id: int, effective_from: dt.date, values: dict, reason: str
) -> LegalParameterVersion:
    """A new version of the county's legal parameters from ``effective_from`` (R-Q-7).

    ``values`` may name only some parameters: the others keep the value in force on that day.
    Refused in Chinese when a value is out of range, the date is in the past, or no reason is
    given; only the county's administrator may set it."""
    if not policy.can(by, "cases.legalparameterversion.change") or county_id not in _admin_counties(by):
        raise PermissionDenied("只有本县系统管理员可以设置法定参数")
    if not (reason or "").strip():
        raise Refused("请填写调整说明（依据的文件或会议）")
    if effective_from < clock.today():
        raise Refused("生效日期不能早于今天；已生效的参数不能追溯修改")
    cleaned, errors = validate(values)
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        full = {
            p.key: _jsonable(law_settings.get(p.key, county_id=county_id, on=effective_from))
            for p in PARAMETERS
        }
        full.update({k: _jsonable(v) for k, v in cleaned.items()})
        return LegalParameterVersion.objects.create(
            county_id=county_id,
            effective_from=effective_from,
            values=full,
            reason=reason.strip()[:300],
            created_by=by,
        )


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def _admin_counties(user) -> set[int]:
    from anxin.core.roles import Role

    return {m.county_id for m in policy.memberships(user) if m.role == Role.BUREAU_ADMIN}
