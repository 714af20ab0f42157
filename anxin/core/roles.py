"""The roles of ROLES.md. A person holds roles through Membership rows (accounts app)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("系统管理员")
    BUREAU_SAFETY = "bureau_safety", _("教体局安全股/综合办")
    SUPERVISOR = "supervisor", _("责任督学")
    AUDITOR = "auditor", _("审计员")
    PRINCIPAL = "principal", _("校长")
    SAFETY_LEADER = "safety_leader", _("分管安全副校长")
    MIDDLE_MANAGER = "middle_manager", _("德育/政教主任")
    CLASS_TEACHER = "class_teacher", _("班主任")
    SUBJECT_TEACHER = "subject_teacher", _("任课教师")
    COUNSELLOR = "counsellor", _("心理教师")
    SECURITY_STAFF = "security_staff", _("宿管/保安")
    LEGAL_VP = "legal_vp", _("法治副校长")
    PARTNER_LIAISON = "partner_liaison", _("公安/检察/法院联络员")


class ScopeLevel(models.TextChoices):
    COUNTY = "county", _("县")
    SCHOOL = "school", _("学校")
    CLASS = "class", _("班级")


# The scope a membership of each role is held at. Supervisors and legal vice-principals hold
# one school-level membership per assigned school; subject teachers one per class taught.
ROLE_SCOPE: dict[str, str] = {
    Role.BUREAU_ADMIN: ScopeLevel.COUNTY,
    Role.BUREAU_SAFETY: ScopeLevel.COUNTY,
    Role.SUPERVISOR: ScopeLevel.SCHOOL,
    Role.AUDITOR: ScopeLevel.COUNTY,
    Role.PRINCIPAL: ScopeLevel.SCHOOL,
    Role.SAFETY_LEADER: ScopeLevel.SCHOOL,
    Role.MIDDLE_MANAGER: ScopeLevel.SCHOOL,
    Role.CLASS_TEACHER: ScopeLevel.CLASS,
    Role.SUBJECT_TEACHER: ScopeLevel.CLASS,
    Role.COUNSELLOR: ScopeLevel.SCHOOL,
    Role.SECURITY_STAFF: ScopeLevel.SCHOOL,
    Role.LEGAL_VP: ScopeLevel.SCHOOL,
    Role.PARTNER_LIAISON: ScopeLevel.COUNTY,
}

COUNTY_ROLES = {r for r, s in ROLE_SCOPE.items() if s == ScopeLevel.COUNTY}
SCHOOL_LEADERSHIP = {Role.PRINCIPAL, Role.SAFETY_LEADER}

# Separation of duties (等保 访问控制, LAW 23): administrator, auditor and operator duties may
# not be held by one account. Operators are every role that acts on school data.
ADMIN_DUTY = {Role.BUREAU_ADMIN}
AUDIT_DUTY = {Role.AUDITOR}
