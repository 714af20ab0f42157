"""The audit log as a person reads it: the actor's name, Chinese role and action labels, and
the object's type and name instead of ``accounts.user 556``. Names are looked up in one query
per object type on the page, whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from anxin.core.roles import Role

ACTION_LABELS = {
    "login": _("登录"),
    "logout": _("退出"),
    "read": _("查看敏感记录"),
    "view": _("查看"),
    "create": _("新建"),
    "update": _("修改"),
    "delete": _("删除"),
    "export": _("导出"),
    "import": _("导入"),
    "denied": _("越权访问"),
    "measure": _("处理措施"),
    "unlock": _("解锁账号"),
    "password_reset": _("重置密码"),
    "token.rotate": _("更换 API 令牌"),
    "otp.enrol": _("绑定动态验证码"),
    "otp.verify": _("动态验证码验证"),
    "audit.seal": _("审计流封存"),
    "audit.verify": _("审计链校验"),
    "stream.open": _("开启审计流"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def role_labels(codes: str) -> str:
    out = []
    for code in filter(None, codes.split(",")):
        try:
            out.append(str(Role(code).label))
        except ValueError:
            out.append(code)
    return "、".join(out)


def object_type_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def object_type_choices() -> list[tuple[str, str]]:
    """Every model of the platform's apps, by its Chinese name."""
    models = [m for m in apps.get_models() if m.__module__.startswith("anxin.")]
    return sorted(((m._meta.label_lower, str(m._meta.verbose_name)) for m in models), key=lambda c: c[1])


NAME_FIELDS = ("real_name", "name", "title", "case_no", "number")


def _has_field(model, name: str) -> bool:
    try:
        return not model._meta.get_field(name).is_relation
    except Exception:  # noqa: BLE001 — FieldDoesNotExist
        return False


@dataclass
class Row:
    event: object
    actor: str
    role: str
    action: str
    object_type: str
    object_name: str


def describe(events: list) -> list[Row]:
    ids: dict[str, set] = defaultdict(set)
    for e in events:
        if e.object_type and e.object_id and e.object_id.isdigit():
            ids[e.object_type].add(int(e.object_id))
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    real = dict(
        user_model._base_manager.filter(pk__in={e.actor_id for e in events if e.actor_id}).values_list(
            "pk", "real_name"
        )
    )
    names: dict[tuple[str, str], str] = {}
    for label, pks in ids.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        field = next((f for f in NAME_FIELDS if _has_field(model, f)), None)
        if field is None:
            continue
        for pk, name in model._base_manager.filter(pk__in=pks).values_list("pk", field):
            names[(label, str(pk))] = str(name)[:60]
    return [
        Row(
            event=e,
            actor=f"{real[e.actor_id]}（{e.actor}）" if real.get(e.actor_id) else e.actor,
            role=role_labels(e.role),
            action=action_label(e.action),
            object_type=object_type_label(e.object_type) if e.object_type else "",
            object_name=names.get((e.object_type, e.object_id), f"#{e.object_id}" if e.object_id else ""),
        )
        for e in events
    ]
