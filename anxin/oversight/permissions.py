"""This app's rights, merged into anxin.core.policy.PERMISSIONS (same shape:
``"<app>.<model>.<action>": (frozenset of roles, "中文说明")``).

监督岗: the school's leaders set the posts and the shifts; every member of staff reads the posts
and records what they see on the shifts they stand (``observation.change``: the screening duty
log's own right is for leaders and security staff only, so a teacher on shift records through
this app's service, which writes the duty log through screening's ``log_duty``). Leaders and
security staff read every observation; others read their own. The bureau and supervisors see
the posts and their gaps.

问责: the bureau sets the county's thresholds, reads the list for 通报约谈 of every school and
records the actions (通报、约谈、限期整改…); the principal and the safety leader read their own
school's list and actions, and the principal may record the school's own 通报 and 约谈 of a
class or grade. The person named on an action records its follow-up."""

from anxin.core.roles import Role as R

BUREAU = frozenset({R.BUREAU_SAFETY})
WATCH = BUREAU | {R.SUPERVISOR}
LEADERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER})
STAFF = LEADERS | {R.CLASS_TEACHER, R.SUBJECT_TEACHER, R.COUNSELLOR, R.SECURITY_STAFF}
SCHOOL_HEADS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER})

PERMISSIONS: dict = {
    "oversight.post.view": (STAFF | WATCH, "看监督岗、值岗安排与缺岗"),
    "oversight.post.change": (LEADERS, "设立监督岗，安排教职工与学生安全员值岗"),
    "oversight.post.export": (LEADERS | WATCH, "导出监督岗与值岗安排"),
    "oversight.observation.view": (LEADERS | {R.SECURITY_STAFF}, "看监督岗记录（其他教职工限本人所记）"),
    "oversight.observation.change": (STAFF, "在本人值岗的监督岗记录值岗情况、标记苗头（写入监控值守记录）"),
    "oversight.accountabilitysetting.view": (BUREAU, "看本县通报约谈标准"),
    "oversight.accountabilitysetting.change": (BUREAU, "设置本县通报约谈标准"),
    "oversight.accountability.view": (WATCH | SCHOOL_HEADS, "看达到通报约谈标准的班级、年级、学校及所涉事件"),
    "oversight.action.view": (WATCH | SCHOOL_HEADS, "看问责措施、约谈记录与整改情况"),
    "oversight.action.change": (BUREAU | {R.PRINCIPAL}, "记录通报、约谈、限期整改等问责措施"),
    "oversight.action.export": (WATCH | SCHOOL_HEADS, "导出通报约谈名单与问责措施"),
    "oversight.action.follow": (STAFF, "记录本人负责的问责整改完成情况"),
}
