"""This app's rights, merged into anxin.core.policy.PERMISSIONS.

The 德育/政教主任 and the school's leaders record the school's education and training
activities and their attendance; a 法治副校长 records their own visits to the schools they serve
(the service keeps them to those kinds and to themselves as presenter); every member of staff
sees the school's activities and checks in to a training by its QR code. A class teacher
records the 主题班会 of their own class (one form, on the phone). The bureau and the
supervisors read activities and coverage; the bureau sets how many 主题班会 a class needs per
term. The year's staff evaluation (考评) is read by the principal and the safety leader; only
the principal may override the 评优评先 gate, with a reason. Each member of staff reads their
own record (no right needed: it is theirs)."""

from anxin.core.roles import Role as R

BUREAU = frozenset({R.BUREAU_SAFETY})
LEADERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER})
MANAGERS = LEADERS | {R.MIDDLE_MANAGER}
STAFF = MANAGERS | {R.CLASS_TEACHER, R.SUBJECT_TEACHER, R.COUNSELLOR, R.SECURITY_STAFF}
WATCH = BUREAU | {R.SUPERVISOR}

PERMISSIONS: dict = {
    "education.educationsetting.view": (
        BUREAU | {R.BUREAU_ADMIN} | MANAGERS,
        "看本县主题班会次数、逾期天数等设置",
    ),
    "education.educationsetting.change": (
        BUREAU | {R.BUREAU_ADMIN},
        "设置每学期主题班会次数、评优评先逾期天数",
    ),
    "education.activity.view": (
        WATCH | STAFF | {R.LEGAL_VP},
        "看学校教育培训活动及参加情况（法治副校长只看本人的）",
    ),
    "education.activity.change": (
        MANAGERS | {R.LEGAL_VP},
        "登记教育培训活动、参加班级和教职工、上传材料（法治副校长登记本人进校）",
    ),
    "education.activity.checkin": (STAFF, "扫码签到参加培训（只记本人）"),
    "education.activity.class_meeting": (
        MANAGERS | {R.CLASS_TEACHER},
        "登记主题班会（班主任只登记所带班级）",
    ),
    "education.activity.coverage": (WATCH | MANAGERS, "看教职工培训覆盖、各班主题班会情况"),
    "education.activity.export": (WATCH | MANAGERS, "导出教育培训活动"),
    "education.eligibilityoverride.view": (LEADERS, "看本校教职工年度防欺凌考评与评优评先资格"),
    "education.eligibilityoverride.change": (frozenset({R.PRINCIPAL}), "说明理由后认定评优评先资格（留痕）"),
    "education.eligibilityoverride.export": (LEADERS, "导出本校考评表"),
}
