"""The county's supervision checklist (督导检查清单): a default written from the seed, given to a
county the first time it is asked for; the bureau edits items and weights afterwards.

The items follow the seed: 二(一)'s seven aspects (工作机制、制度措施、队伍建设、责任落实、宣传引导、
教育惩戒、条件保障), 二(一)'s screening and video watch, 二(二)'s rectification of hazards,
二(六)'s published phones and 家校沟通. Weights add up to 100."""

from __future__ import annotations

from django.db import transaction

from anxin.supervision.models import ChecklistItem

DEFAULT_CHECKLIST: list[tuple[str, str, int]] = [
    ("工作机制", "成立防治学生欺凌工作领导小组，职责分工明确，定期研究防治工作", 10),
    ("制度措施", "制定本校欺凌防治工作制度，完善校规校纪和教育惩戒实施细则", 10),
    ("队伍建设", "将防治学生欺凌专题培训纳入班子成员、中层领导、教职工培训内容", 10),
    ("责任落实", "校长、中层干部、班主任、学科教师和教职工各岗位责任明确到人、到岗", 10),
    ("宣传引导", "开展法治教育、心理健康教育，邀请法治副校长、公检法司到校开展专题教育", 10),
    ("教育惩戒", "依法依规处置欺凌事件，及时报告，无迟报、谎报、瞒报、漏报", 15),
    ("条件保障", "视频监控覆盖易发生欺凌的地点，重点时段指派专人监控", 10),
    ("排查摸底", "全面排查，掌握弱势学生和易发生欺凌的地点，台账动态更新", 10),
    ("隐患整改", "对排查发现的隐患点制定防范措施，举一反三完善制度", 5),
    ("诉求通道", "在显著位置公布欺凌防治电话、邮箱和分管安全工作校领导电话", 5),
    ("家校沟通", "开展谈心谈话、家访，密切家校沟通，引导家长依法落实监护责任", 5),
]


@transaction.atomic
def ensure_checklist(county_id: int) -> None:
    if ChecklistItem.objects.filter(county_id=county_id).exists():
        return
    ChecklistItem.objects.bulk_create(
        ChecklistItem(county_id=county_id, category=c, text=t, weight=w, position=(i + 1) * 10)
        for i, (c, t, w) in enumerate(DEFAULT_CHECKLIST)
    )


def items_for(county_id: int) -> list[ChecklistItem]:
    ensure_checklist(county_id)
    return list(ChecklistItem.objects.filter(county_id=county_id, active=True).order_by("position", "id"))
