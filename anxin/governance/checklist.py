"""The county's self-check checklist (R-SCR-8) and the answers the platform proposes from data.

The default checklist is written from the seed (二(一)'s seven dimensions, with the duties the
rest of the seed names under each); a county gets it on first use and the bureau edits it. An
item may name a *probe*: the platform reads its own records and proposes an answer with its
reason (责任落实 from the responsibility matrix, 条件保障 from the cameras covering hazard
points, 队伍建设 from the posts filled, 制度措施 from the rules documents). The school confirms.

Probes answer for many schools at once in a fixed number of queries (``proposals``), which the
campaign evaluators and the bureau's view reuse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from anxin.core.roles import Role
from anxin.governance.models import Answer, ChecklistItem, Dimension, Probe

D = Dimension
DEFAULT_CHECKLIST: list[tuple[str, str, str]] = [
    (D.MECHANISM, "成立防治学生欺凌工作领导小组，明确组长、成员和办公室", Probe.LEADING_GROUP),
    (D.MECHANISM, "建立师生联系、同学互助、家校互通、紧急求救等机制", Probe.NONE),
    (D.MECHANISM, "在显著位置公布学校欺凌防治电话、邮箱和分管安全工作校领导电话", Probe.NONE),
    (D.MEASURES, "结合实际制定本校欺凌防治工作制度并及时修订", Probe.RULES),
    (D.MEASURES, "细化本校防治学生欺凌工作方案，明确工作要求", Probe.NONE),
    (D.MEASURES, "发现欺凌主动制止、家校相互通知、及时调查处理，严重事件立即报告", Probe.NONE),
    (D.TEAM, "校长、分管安全副校长、德育主任、心理教师、班主任等关键岗位均有人在岗", Probe.POSTS),
    (D.TEAM, "将防治学生欺凌专题培训纳入班子成员、中层领导、教职工培训内容", Probe.NONE),
    (D.TEAM, "积极探索在班级设置学生安全员", Probe.NONE),
    (D.DUTY, "校长、中层干部、班主任、学科教师和教职工各岗位责任明确到人、到岗", Probe.RESPONSIBILITY),
    (D.DUTY, "将学生欺凌防治情况纳入教职工工作考评，作为评优评先先决条件", Probe.NONE),
    (D.PUBLICITY, "开展未成年人保护法、预防未成年人犯罪法等法律宣传解读", Probe.NONE),
    (D.PUBLICITY, "邀请法治副校长、辖区公检法司到校开展防欺凌专题教育", Probe.NONE),
    (D.PUBLICITY, "加强家庭教育指导，密切家校沟通，引导学生正确使用网络", Probe.NONE),
    (D.DISCIPLINE, "依据《中小学教育惩戒规则（试行）》完善校规校纪和教育惩戒实施细则", Probe.RULES),
    (
        D.DISCIPLINE,
        "对实施欺凌的学生分情节批评教育、警示谈话或纪律处分，对被欺凌学生给予心理辅导",
        Probe.NONE,
    ),
    (D.CONDITIONS, "视频监控覆盖易发生欺凌的隐患点，重点时段指派专人值守", Probe.CAMERAS),
    (D.CONDITIONS, "设置心理辅导室，配备心理健康教育教师", Probe.NONE),
]

# the posts 队伍建设 asks for (school-level; class teachers per class)
KEY_POSTS = (Role.PRINCIPAL, Role.SAFETY_LEADER, Role.MIDDLE_MANAGER, Role.COUNSELLOR)


@transaction.atomic
def ensure_checklist(county_id: int) -> None:
    """Give the county the default checklist the first time it is asked for (one query after)."""
    if ChecklistItem.objects.filter(county_id=county_id).exists():
        return
    ChecklistItem.objects.bulk_create(
        ChecklistItem(county_id=county_id, dimension=d, text=t, probe=p, position=(i + 1) * 10)
        for i, (d, t, p) in enumerate(DEFAULT_CHECKLIST)
    )


def items_for(county_id: int) -> list[ChecklistItem]:
    ensure_checklist(county_id)
    return list(ChecklistItem.objects.filter(county_id=county_id, active=True).order_by("position", "id"))


@dataclass(frozen=True)
class Proposal:
    answer: str  # an Answer value, or "" when the data cannot tell
    reason: str


def _grade(have: int, total: int) -> str:
    if total and have >= total:
        return Answer.YES
    if have:
        return Answer.PARTIAL
    return Answer.NO


def responsibility_gaps(schools: Iterable) -> dict[int, list[str]]:
    """Required duties with nobody accountable, per school (two queries)."""
    from anxin.org.models import Duty, Responsibility
    from anxin.org.services import required_duties

    schools = list(schools)
    assigned: dict[int, set[str]] = defaultdict(set)
    for sid, duty in Responsibility.objects.filter(school__in=schools).values_list("school_id", "duty"):
        assigned[sid].add(duty)
    labels = dict(Duty.choices)
    return {s.pk: [str(labels[d]) for d in required_duties(s) if d not in assigned[s.pk]] for s in schools}


def camera_cover(schools: Iterable) -> dict[int, tuple[int, int]]:
    """(hazard points covered by a working camera, hazard points not eliminated) per school."""
    from django.db.models import Count, Q

    from anxin.screening.models import HazardPoint

    rows = (
        HazardPoint.objects.filter(school__in=list(schools))
        .exclude(status=HazardPoint.Status.ELIMINATED)
        .values("school_id")
        .annotate(
            total=Count("id", distinct=True),
            covered=Count("id", filter=Q(cameras__working=True), distinct=True),
        )
    )
    return {r["school_id"]: (r["covered"], r["total"]) for r in rows}


def posts_filled(schools: Iterable) -> dict[int, list[str]]:
    """Key posts with nobody in them, per school; classes without a class teacher count as one
    gap (two queries)."""
    from anxin.accounts.models import Membership
    from anxin.org.models import SchoolClass

    schools = list(schools)
    held: dict[int, set[str]] = defaultdict(set)
    taught: set[int] = set()
    rows = (
        Membership.objects.active()
        .filter(user__is_active=True, school__in=schools, role__in=[*KEY_POSTS, Role.CLASS_TEACHER])
        .values_list("school_id", "role", "klass_id")
    )
    for sid, role, klass_id in rows:
        held[sid].add(role)
        if role == Role.CLASS_TEACHER and klass_id:
            taught.add(klass_id)
    untaught: dict[int, int] = defaultdict(int)
    for sid, kid in SchoolClass.objects.filter(school__in=schools).values_list("school_id", "pk"):
        if kid not in taught:
            untaught[sid] += 1
    out = {}
    for s in schools:
        missing = [str(Role(r).label) for r in KEY_POSTS if r not in held[s.pk]]
        if untaught[s.pk]:
            missing.append(f"{untaught[s.pk]}个班级无班主任")
        out[s.pk] = missing
    return out


def proposals(schools: Iterable, *, rules_state: dict | None = None) -> dict[int, dict[str, Proposal]]:
    """{school: {probe: Proposal}} for every probe, a fixed number of queries for all schools."""
    from anxin.governance.documents_state import rules_states
    from anxin.governance.leading import groups
    from anxin.org.services import required_duties

    schools = list(schools)
    gaps = responsibility_gaps(schools)
    cover = camera_cover(schools)
    posts = posts_filled(schools)
    rules = rules_state if rules_state is not None else rules_states(schools)
    lg = groups(schools)
    out: dict[int, dict[str, Proposal]] = {}
    for s in schools:
        p: dict[str, Proposal] = {}
        missing, required = gaps[s.pk], len(required_duties(s))
        if not missing:
            p[Probe.RESPONSIBILITY] = Proposal(Answer.YES, "岗位责任清单中各项职责均已落实到人")
        else:
            p[Probe.RESPONSIBILITY] = Proposal(
                _grade(required - len(missing), required),
                "岗位责任清单未落实：" + "、".join(missing),
            )
        covered, total = cover.get(s.pk, (0, 0))
        if total:
            p[Probe.CAMERAS] = Proposal(
                _grade(covered, total), f"{total}个隐患点中{covered}个有正常运行的摄像头覆盖"
            )
        else:
            p[Probe.CAMERAS] = Proposal("", "尚未登记隐患点，平台无法判断监控覆盖情况")
        lacking = posts[s.pk]
        if lacking:
            p[Probe.POSTS] = Proposal(
                Answer.NO if str(Role.PRINCIPAL.label) in lacking else Answer.PARTIAL,
                "以下岗位无人在岗：" + "、".join(lacking),
            )
        else:
            p[Probe.POSTS] = Proposal(
                Answer.YES, "校长、分管安全副校长、德育主任、心理教师和各班班主任均在岗"
            )
        g = lg[s.pk]
        p[Probe.LEADING_GROUP] = (
            Proposal(Answer.YES, "按岗位生成：组长、副组长、办公室主任均已明确")
            if g.formed
            else Proposal(Answer.NO if not g.chair else Answer.PARTIAL, "尚缺：" + "、".join(g.missing))
        )
        st = rules[s.pk]
        p[Probe.RULES] = Proposal(st.answer, st.reason)
        out[s.pk] = p
    return out
