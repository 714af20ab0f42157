"""This app's rights, merged into anxin.core.policy.PERMISSIONS.

The bureau (教体局安全股/综合办 with the 教育督导室) keeps the county's supervision checklist and
partner directory, runs joint inspections and sees every visit; a responsible supervisor (责任督学)
holds a school-level post at each school assigned to them and plans, scores and follows up visits
there only; the school's principal and safety leader see their visits and answer rectification
items with evidence; the school refers matters to partner units. A legal vice-principal or a
police/procuratorate liaison sees only the referrals sent to them (the services check the
recipient) and the joint inspections whose team they are on."""

from anxin.core.roles import Role as R

BUREAU = frozenset({R.BUREAU_SAFETY})
SUPERVISORS = frozenset({R.SUPERVISOR})
RUNNERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER})
MANAGERS = RUNNERS | {R.MIDDLE_MANAGER}
PARTNERS = frozenset({R.LEGAL_VP, R.PARTNER_LIAISON})

PERMISSIONS: dict = {
    "supervision.checklistitem.view": (BUREAU | SUPERVISORS | MANAGERS, "看本县督导检查清单（项目与分值）"),
    "supervision.checklistitem.change": (BUREAU, "编辑本县督导检查清单（项目与分值）"),
    "supervision.visit.view": (BUREAU | SUPERVISORS | MANAGERS, "看督导检查、评分与督导意见"),
    "supervision.visit.change": (BUREAU | SUPERVISORS, "计划督导、逐项评分、填写发现并完成督导"),
    "supervision.visit.export": (BUREAU | SUPERVISORS | RUNNERS, "下载督导意见书（.docx）"),
    "supervision.rectificationitem.view": (BUREAU | SUPERVISORS | MANAGERS, "看督导整改事项"),
    "supervision.rectificationitem.change": (BUREAU | SUPERVISORS, "提出整改事项，核验或退回学校的整改"),
    "supervision.rectificationitem.respond": (RUNNERS, "填写本校整改情况、上传佐证并报送核验"),
    "supervision.inspection.view": (BUREAU, "看联合检查（检查组成员另可看本组的检查）"),
    "supervision.inspection.join": (
        PARTNERS | SUPERVISORS,
        "参加本人所在检查组的联合检查：看检查、为检查的学校评分、提出和核验整改",
    ),
    "supervision.inspection.change": (BUREAU, "制定联合检查计划，调整检查组和学校"),
    "supervision.inspection.export": (BUREAU, "导出联合检查汇总表（.xlsx）"),
    "supervision.partnerunit.view": (
        BUREAU | SUPERVISORS | MANAGERS | PARTNERS,
        "看本县联动单位与联系人",
    ),
    "supervision.partnerunit.change": (BUREAU, "维护本县联动单位与联系人"),
    "supervision.referral.view": (BUREAU | MANAGERS, "看本校（本县）的联动转介"),
    "supervision.referral.change": (MANAGERS, "向联动单位转介（家庭困难、留守儿童监护缺失等）"),
    "supervision.referral.respond": (PARTNERS, "接收转介给本人的事项并反馈处理结果"),
}
