"""The left navigation by module: each entry names the permission that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from anxin.core.roles import Role


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    url_name: str
    perms: tuple[str, ...]  # shown if the user holds any
    # Menus fit the job: not in the menu of someone whose every post is one of these (the page
    # itself stays where the permission allows it, e.g. from a link on 工作台).
    hide_for: frozenset = frozenset()
    # "region": only for holders of a city or province post (who hold no county post and see
    # nothing else); such entries name no permission
    audience: str = "county"


# The people who work with the children every day: their menu holds what they do, not the
# school's administration (issue 11, "menus and pages fit the job").
FRONTLINE = frozenset({Role.CLASS_TEACHER, Role.SUBJECT_TEACHER, Role.COUNSELLOR, Role.SECURITY_STAFF})
TEACHERS = frozenset({Role.CLASS_TEACHER, Role.SUBJECT_TEACHER, Role.COUNSELLOR})


# Menu sections in this order; apps' sections not listed come last.
SECTION_ORDER = [
    "工作台",
    "举报与求助",
    "欺凌事件",
    "排查与风险",
    "关爱与干预",
    "督导检查",
    "组织机构",
    "学生名册",
    "账号与权限",
    "审计",
]

NAV: list[NavItem] = [
    NavItem(_("工作台"), _("工作台"), "core:home", ()),
    NavItem(_("组织机构"), _("学校"), "org:school_list", ("org.school.view",), hide_for=FRONTLINE),
    NavItem(_("组织机构"), _("班级"), "org:class_list", ("org.schoolclass.view",)),
    NavItem(_("组织机构"), _("岗位责任清单"), "org:responsibility_list", ("org.responsibility.view",)),
    NavItem(_("组织机构"), _("学生安全员"), "org:safety_officer_list", ("org.safetyofficer.view",)),
    NavItem(_("学生名册"), _("学生"), "roster:student_list", ("roster.student.view",)),
    NavItem(
        _("学生名册"), _("名册导入"), "roster:import_list", ("roster.student.import", "roster.staff.import")
    ),
    NavItem(_("账号与权限"), _("账号与岗位"), "accounts:user_list", ("accounts.user.view",)),
    NavItem(
        _("账号与权限"),
        _("跨校查阅申请"),
        "accounts:grant_list",
        ("accounts.accessgrant.request", "accounts.accessgrant.approve", "accounts.accessgrant.view"),
        hide_for=FRONTLINE,
    ),
    NavItem(
        _("账号与权限"),
        _("API 令牌"),
        "accounts:token",
        (),
        hide_for=FRONTLINE | {Role.MIDDLE_MANAGER, Role.LEGAL_VP, Role.PARTNER_LIAISON},
    ),
    NavItem(_("审计"), _("审计日志"), "core:audit_list", ("core.auditevent.view",)),
    NavItem(_("审计"), _("发送记录"), "core:delivery_list", ("core.delivery.view",)),
]


# Apps list their menu entries in ``anxin/<app>/nav.py`` (NAV = [...]), found through Django's
# app registry in INSTALLED_APPS order (``core.apps.app_modules``); core names no app.
# What waits for a user is not a menu matter: each app's duties.py (core.duties) feeds 工作台.
def _merge_app_nav() -> None:
    """Merge each app's ``nav.py`` NAV entries."""
    from anxin.core.apps import app_modules

    for module in app_modules("nav"):
        NAV.extend(getattr(module, "NAV", ()))


_merge_app_nav()


def region_home() -> str:
    """Where a city or province post starts: the first entry of its menu."""
    from django.urls import reverse

    return reverse(next(item.url_name for item in NAV if item.audience == "region"))
