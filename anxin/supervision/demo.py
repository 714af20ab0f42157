"""Demo data for supervision, entered through the services (every rule and audit event is
real): the county's partner directory (the eight kinds of unit, the liaisons' and a legal
vice-principal's accounts linked), two completed visits of the demo supervisor with
rectification items in every state (open, reported and awaiting verification, sent back,
verified) and one visit planned; one joint inspection with the police and the procuratorate
over three schools (one scored); two referrals (one awaiting the police liaison's outcome,
one closed by the school)."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.db import transaction
from docx import Document

from anxin.core import clock
from anxin.core.roles import Role
from anxin.supervision import services
from anxin.supervision.models import PartnerKind, Visit

UNITS = [
    (PartnerKind.POLICE, "贺兰县公安局习岗派出所", "0951-8061110", ["demo_police", "demo_legalvp"]),
    (PartnerKind.PROCURATORATE, "贺兰县人民检察院", "0951-8062345", ["hl_jcy_liaison"]),
    (PartnerKind.COURT, "贺兰县人民法院", "0951-8063456", ["hl_fy_liaison"]),
    (PartnerKind.JUSTICE, "贺兰县司法局习岗司法所", "0951-8064567", []),
    (PartnerKind.WOMEN, "贺兰县妇女联合会", "0951-8065678", []),
    (PartnerKind.YOUTH, "共青团贺兰县委员会", "0951-8066789", []),
    (PartnerKind.CIVIL, "贺兰县民政局", "0951-8067890", []),
    (PartnerKind.HEALTH, "贺兰县卫生健康局", "0951-8068901", []),
]
CONTACT_NAMES = {"贺兰县司法局习岗司法所": "马所长", "贺兰县妇女联合会": "李主席", "贺兰县民政局": "王股长"}


def _user(username):
    from anxin.accounts.models import User

    return User.objects.filter(username=username, is_active=True).first()


def _holder(school_id: int, role: str):
    from anxin.accounts.models import Membership

    m = (
        Membership.objects.active()
        .filter(school_id=school_id, role=role, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _evidence(name: str, text: str) -> io.BytesIO:
    doc = Document()
    doc.add_heading(name, 1)
    doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    buf.name = f"{name}.docx"
    buf.size = len(buf.getvalue())
    return buf


def _directory(county, bureau, counts):
    units = {}
    for kind, name, phone, usernames in UNITS:
        unit = services.save_unit(
            bureau, county.pk, {"kind": kind, "name": name, "phone": phone, "active": True}
        )
        units[kind] = unit
        counts["units"] += 1
        for username in usernames:
            u = _user(username)
            if u is None:
                continue
            title = "法治副校长" if username == "demo_legalvp" else "联络员"
            services.save_contact(
                bureau,
                unit,
                {"name": u.real_name or u.username, "title": title, "phone": u.phone or "", "user": u},
            )
            counts["contacts"] += 1
        if name in CONTACT_NAMES:
            services.save_contact(
                bureau, unit, {"name": CONTACT_NAMES[name], "title": "联系人", "phone": phone}
            )
            counts["contacts"] += 1
    return units


def _visit(sup, school, days_ago: int, rng: random.Random, findings: str) -> Visit:
    today = clock.today()
    v = services.plan_visit(
        sup, school, planned_on=today - dt.timedelta(days=days_ago), purpose="学生欺凌防治工作挂牌督导"
    )
    values = {}
    for s in v.scores.all():
        lost = rng.choice([0, 0, 0, 1, 2]) if s.weight >= 10 else rng.choice([0, 0, 1])
        values[s.pk] = (str(s.weight - lost), "佐证材料不全" if lost else "")
    services.save_scores(
        sup,
        v,
        values,
        {
            "findings": findings,
            "strengths": "领导小组分工明确，班级安全员制度运行良好。",
            "visited_on": today - dt.timedelta(days=days_ago),
        },
    )
    return services.complete_visit(sup, v)


def _rect(sup, visit, problem, requirement, days):
    return services.raise_rectification(
        sup, visit, problem=problem, requirement=requirement, due_date=clock.today() + dt.timedelta(days=days)
    )


def _answer(leader, item, text, submit=True):
    services.add_evidence(leader, item, _evidence("整改佐证", text))
    if submit:
        return services.submit_response(leader, item, action_taken=text)
    return services.save_response(leader, item, action_taken=text)


def load_supervision(county, rng: random.Random) -> dict:
    from anxin.accounts.models import Membership

    counts = {"units": 0, "contacts": 0, "visits": 0, "rectifications": 0, "inspections": 0, "referrals": 0}
    bureau = _user("demo_safety")
    sup = _user("demo_supervisor")
    if bureau is None or sup is None:
        return counts
    with transaction.atomic():
        units = _directory(county, bureau, counts)
    schools = [
        m.school
        for m in Membership.objects.active()
        .filter(user=sup, role=Role.SUPERVISOR, school__isnull=False)
        .select_related("school")
        .order_by("school__code", "pk")
    ]
    schools.sort(key=lambda s: (s.code != _demo_code(county), s.code))
    today = clock.today()
    if len(schools) >= 2:
        first, second = schools[0], schools[1]
        leader1, leader2 = _holder(first.pk, Role.SAFETY_LEADER), _holder(second.pk, Role.SAFETY_LEADER)
        with transaction.atomic():
            v1 = _visit(
                sup,
                first,
                20,
                rng,
                "操场东北角、厕所门口监控存在盲区；部分班主任未参加防欺凌专题培训；晚自习后宿舍区巡查记录不全。",
            )
            r1 = _rect(sup, v1, "操场东北角、厕所门口监控存在盲区", "补装摄像头，重点时段指派专人监控", 10)
            r2 = _rect(sup, v1, "部分班主任未参加防欺凌专题培训", "组织未参训班主任补训并留存签到表", 20)
            _rect(sup, v1, "晚自习后宿舍区巡查记录不全", "完善宿管巡查记录制度，每晚签字留痕", 25)
            if leader1:
                _answer(
                    leader1, r1, "已在操场东北角、厕所门口补装摄像头3台，接入监控室，课间由值班教师专人查看。"
                )
                services.review(sup, r1, accept=True, note="现场查看，已覆盖。")
                _answer(leader1, r2, "已于本周三组织8名班主任补训，签到表和培训课件附后。")
            counts["visits"] += 1
            counts["rectifications"] += 3
        with transaction.atomic():
            v2 = _visit(
                sup, second, 10, rng, "校门口未公布欺凌防治电话和邮箱；教育惩戒实施细则尚未经教代会审议。"
            )
            r4 = _rect(
                sup,
                v2,
                "校门口未公布欺凌防治电话和邮箱",
                "在校门口、各楼层显著位置公布防治电话、邮箱和分管校领导电话",
                7,
            )
            _rect(sup, v2, "教育惩戒实施细则尚未经教代会审议", "提交教代会审议后印发", 30)
            if leader2:
                _answer(leader2, r4, "已在校门口张贴。")
                services.review(sup, r4, accept=False, note="各楼层尚未张贴，请补齐后拍照上传。")
            counts["visits"] += 1
            counts["rectifications"] += 2
        if len(schools) >= 3:
            services.plan_visit(
                sup, schools[2], planned_on=today + dt.timedelta(days=5), purpose="学生欺凌防治工作挂牌督导"
            )
            counts["visits"] += 1
    # a joint inspection with the police and the procuratorate
    from anxin.org.models import School

    insp_schools = list(School.objects.filter(county=county, active=True).order_by("code", "pk")[:3])
    if insp_schools:
        with transaction.atomic():
            insp = services.create_inspection(
                bureau,
                county,
                title=f"{today.year}年防范中小学生欺凌专项治理联合检查",
                starts_on=today - dt.timedelta(days=3),
                ends_on=today + dt.timedelta(days=7),
                schools=insp_schools,
                units=[units[PartnerKind.POLICE], units[PartnerKind.PROCURATORATE]],
            )
            for username, duty in (("demo_police", "校园周边治安"), ("hl_jcy_liaison", "法治教育与教育惩戒")):
                u = _user(username)
                if u:
                    services.add_member(bureau, insp, user=u, duty=duty)
            services.add_member(bureau, insp, name="马督学", unit="贺兰县教育督导室", duty="制度与台账")
            v = insp.visits.order_by("school__code").first()
            values = {s.pk: (str(max(0, s.weight - rng.choice([0, 1, 2]))), "") for s in v.scores.all()}
            services.save_scores(
                bureau,
                v,
                values,
                {
                    "findings": "学校周边200米内有网吧，放学时段缺少护学岗。",
                    "visited_on": today - dt.timedelta(days=2),
                },
            )
            services.complete_visit(bureau, v)
            police = _user("demo_police") or bureau
            services.raise_rectification(
                police,
                v,
                problem="放学时段校门口缺少护学岗",
                requirement="会同派出所设立护学岗，放学时段定人定岗",
                due_date=today + dt.timedelta(days=14),
            )
            counts["inspections"] += 1
            counts["rectifications"] += 1
    # two referrals from the demo school
    school = next((s for s in schools if s.code == _demo_code(county)), schools[0] if schools else None)
    leader = _holder(school.pk, Role.SAFETY_LEADER) if school else None
    if school and leader:
        police_unit = units[PartnerKind.POLICE]
        contact = police_unit.contacts.filter(user__username="demo_police").first()
        from anxin.roster.models import Student

        pupils = list(
            Student.objects.filter(school=school, status="enrolled")
            .select_related("klass__grade")
            .order_by("klass__grade__year", "klass__name", "id")[:40]
        )
        # linked from the roster (name and class, so a shared name is still one student)
        named = [f"{p.name} {p.klass.grade.name}{p.klass.name}" for p in pupils[-2:] if p.klass]
        with transaction.atomic():
            r = services.refer(
                leader,
                school,
                {
                    "unit": police_unit,
                    "contact": contact,
                    "reason": "left_behind",
                    "student_name": named[0] if named else "",
                    "details": "父母在外务工，临时监护的祖父住院，学生近两周独自在家，晚归。",
                    "request": "请社区民警协助联系其父母并落实临时监护人，晚间上门走访",
                    "respond_by": today + dt.timedelta(days=5),
                },
            )
            if contact and contact.user:
                services.receive(contact.user, r)
            civil = units[PartnerKind.CIVIL]
            r2 = services.refer(
                leader,
                school,
                {
                    "unit": civil,
                    "reason": "hardship",
                    "student_name": named[-1] if named else "",
                    "details": "父亲重病，家庭无稳定收入，学生情绪低落。",
                    "request": "申请临时救助，了解低保办理条件",
                    "respond_by": today + dt.timedelta(days=10),
                },
            )
            services.record_outcome(
                leader, r2, outcome="民政局已受理临时救助申请，发放救助金2000元；低保材料已指导家长准备。"
            )
            counts["referrals"] += 2
    return counts


def _demo_code(county) -> str:
    """The demo school's code (贺兰县第一中学), read from the demo data by the caller's county."""
    from anxin.org.models import School

    s = School.objects.filter(county=county, name="贺兰县第一中学").only("code").first()
    return s.code if s else ""
