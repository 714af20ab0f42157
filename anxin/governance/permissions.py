"""This app's rights, merged into anxin.core.policy.PERMISSIONS (same shape:
``"<app>.<model>.<action>": (frozenset of roles, "中文说明")``).

The bureau's safety office (教体局安全股/综合办) keeps the county's checklist and writes the
lessons, and sees every school's self-check and documents; the principal and the safety leader
run their school's self-check, documents and 举一反三; the 德育/政教主任 reads them and assigns
lessons; every member of staff reads the published lessons and marks the ones assigned to them
studied. Supervisors (责任督学) read the schools' self-checks and documents."""

from anxin.core.roles import Role as R

BUREAU = frozenset({R.BUREAU_SAFETY})
RUNNERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER})
MANAGERS = RUNNERS | {R.MIDDLE_MANAGER}
STAFF = MANAGERS | {R.CLASS_TEACHER, R.SUBJECT_TEACHER, R.COUNSELLOR, R.SECURITY_STAFF}
WATCH = BUREAU | {R.SUPERVISOR}

PERMISSIONS: dict = {
    "governance.governancesetting.view": (BUREAU, "看本县制度文件修订周期等设置"),
    "governance.governancesetting.change": (BUREAU, "设置制度文件修订周期"),
    "governance.checklistitem.view": (BUREAU | MANAGERS, "看本县学校自查清单"),
    "governance.checklistitem.change": (BUREAU, "编辑本县学校自查清单（七个方面的自查项目）"),
    "governance.selfcheck.view": (WATCH | MANAGERS, "看学校自查及其问题项"),
    "governance.selfcheck.change": (RUNNERS, "开展本校自查、填写结论并提交（否、部分转入问题整改）"),
    "governance.selfcheck.export": (BUREAU | MANAGERS, "导出各校自查情况"),
    "governance.documentversion.view": (WATCH | MANAGERS, "看学校制度文件、工作方案与领导小组"),
    "governance.documentversion.change": (RUNNERS, "上传制度文件、工作方案的新版本，生成工作方案初稿"),
    "governance.documentversion.export": (BUREAU | MANAGERS, "导出各校制度文件情况"),
    "governance.improvement.view": (BUREAU | MANAGERS, "看举一反三（完善制度、流程）事项"),
    "governance.improvement.change": (MANAGERS, "提出举一反三事项、以新版本或不修订决定办结"),
    "governance.lesson.view": (BUREAU | STAFF, "看已发布的案例警示"),
    "governance.lesson.change": (BUREAU, "从已结案事件或区外事件编写、发布去除身份信息的案例警示"),
    "governance.lessonassignment.view": (BUREAU | STAFF, "看案例学习布置与完成情况"),
    "governance.lessonassignment.change": (MANAGERS, "向本校教职工布置案例学习"),
    "governance.lessonassignment.study": (STAFF, "标记本人已学习案例警示"),
}
