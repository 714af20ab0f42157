"""Demo data for screening and early warning: ``load_screening(county, rng)``.

Called by the demo loader after the county, staff and students are saved. Deterministic for
a given ``rng``. Writes in bulk (no per-row audit, like the rest of the demo) and finishes
with a full risk recomputation, so every page has something to show:
- the vulnerability register seeded from the roster flags, plus 性格内向 / 单亲 entries;
- a county-wide screening round opened two weeks ago, about two thirds done, a few students
  excused with a reason, so coverage differs by school and class;
- one peer-relationship survey with answers in the first class of the first junior school;
- a few students on the bullying-tendency register, one of them due for review;
- hazard points with 人防/物防/技防 measures, zones, cameras (some points uncovered), a duty
  roster for the key periods and a week of duty logs, one flagged 苗头;
- problems and rectification, one done with evidence and one overdue.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction

from anxin.core import audit, clock
from anxin.core.models import keys_of
from anxin.core.roles import Role

HAZARDS = [
    ("教学楼东侧男厕所", "inside", "toilet", "课间、午休", "high"),
    ("实验楼楼梯间拐角", "inside", "stairs", "课间", "medium"),
    ("操场器材室后侧", "inside", "playground", "午休、放学后", "high"),
    ("学生宿舍3楼走廊", "inside", "dorm", "晚自习后、熄灯前后", "high"),
    ("食堂后门通道", "inside", "canteen", "午饭", "low"),
    ("校门外东侧小卖部", "around", "shop", "放学后", "medium"),
    ("学校西侧上下学小路", "around", "route", "放学后", "high"),
]
MEASURES = {
    "people": ["课间安排值周教师巡查", "放学时段护学岗值守", "宿管员夜间每小时巡查一次"],
    "physical": ["加装照明灯并清理遮挡物", "器材室加锁，钥匙专人保管", "设置警示标识和求助电话"],
    "tech": ["加装高清摄像头，接入监控室", "一键报警装置接入门卫室", "监控画面重点时段专人盯看"],
}
PROBLEMS = [
    (
        "排查摸底台账更新不及时，部分班级弱势学生底数不清",
        "班主任每月更新一次本班弱势学生台账，德育处抽查",
        "screening",
    ),
    ("校园西侧围墙监控存在盲区", "加装摄像头2台，覆盖围墙内侧通道", "self"),
    ("部分教师对欺凌行为识别不准确", "组织全体教职工防欺凌专题培训，培训后测试", "inspection"),
    ("学生不清楚欺凌求助渠道", "在教学楼、宿舍显著位置张贴举报电话和信箱", "self"),
]
SIGNS = [
    "课间教学楼东侧厕所门口有三名学生围堵一名低年级学生，值守人员已到场劝离",
    "放学后校门外小卖部附近有学生推搡，已通知班主任",
]
ZONES = ["校门及周边", "教学楼", "操场", "宿舍区", "食堂"]


def _staff(school_ids):
    from anxin.accounts.models import Membership

    by_school: dict[int, dict[str, list]] = {}
    for m in Membership.objects.filter(school_id__in=school_ids).select_related("user").order_by("pk"):
        by_school.setdefault(m.school_id, {}).setdefault(m.role, []).append(m.user)
    return by_school


def load_screening(county, rng: random.Random) -> dict:
    from anxin.org.models import School, SchoolClass
    from anxin.roster.models import Student
    from anxin.screening import risk, services
    from anxin.screening.models import (
        Camera,
        CountyRound,
        DutyLog,
        DutyShift,
        HazardMeasure,
        HazardPoint,
        MonitoringZone,
        Nomination,
        PeerSurvey,
        Rectification,
        ScreeningRecord,
        ScreeningRound,
        SurveyResponse,
        SurveyToken,
        TendencyEntry,
        VulnerabilityEntry,
    )

    today = clock.today()
    now = clock.now()
    counts: dict[str, int] = {}
    schools = list(School.objects.filter(county=county, active=True).order_by("pk"))
    staff = _staff([s.pk for s in schools])
    bureau = (
        county.users.filter(memberships__role=Role.BUREAU_SAFETY).order_by("pk").first()
        or county.users.order_by("pk").first()
    )

    with transaction.atomic():
        cats = services.ensure_categories(county.pk)
        counts.update(services.sync_roster_flags(county_id=county.pk, recompute=False))

        students_by_class: dict[int, list] = {}
        for st in (
            Student.objects.filter(county=county, status="enrolled")
            .order_by("klass_id", "pk")
            .only("pk", "klass_id", "school_id", "county_id", "name")
        ):
            students_by_class.setdefault(st.klass_id, []).append(st)
        classes_by_school: dict[int, list] = {}
        for k in SchoolClass.objects.filter(school__in=schools).order_by("grade__year", "name"):
            classes_by_school.setdefault(k.school_id, []).append(k)

        # 弱势学生: 性格内向 and 单亲 by hand, on top of the roster's flags
        extra = []
        for sts in students_by_class.values():
            for st in sts:
                x = rng.random()
                code = "introvert" if x < 0.03 else "single_parent" if x < 0.05 else None
                if code:
                    extra.append(
                        VulnerabilityEntry(
                            county_id=county.pk,
                            school_id=st.school_id,
                            student_id=st.pk,
                            category=cats[code],
                            source="manual",
                            note="班主任摸底登记",
                            started_on=today - timedelta(days=rng.randint(10, 60)),
                        )
                    )
        VulnerabilityEntry.objects.bulk_create(extra, batch_size=500, ignore_conflicts=True)
        counts["vulnerability_manual"] = len(extra)

        # a county round, two weeks in, about two thirds done
        cr = CountyRound.objects.create(
            county=county,
            title=f"{today.year}年学生欺凌全面排查",
            deadline=today + timedelta(days=7),
            opened_by=bureau,
        )
        records = []
        for school in schools:
            people = staff.get(school.pk, {})
            r = ScreeningRound.objects.create(
                county=county,
                school=school,
                county_round=cr,
                title=cr.title,
                opened_on=today - timedelta(days=14),
                deadline=cr.deadline,
                opened_by=bureau,
            )
            share = rng.choice([0.35, 0.6, 0.8, 0.95, 1.0])
            teachers = people.get(Role.CLASS_TEACHER) or people.get(Role.SAFETY_LEADER) or [bureau]
            for i, klass in enumerate(classes_by_school.get(school.pk, [])):
                done_share = 1.0 if i == 0 else share
                for st in students_by_class.get(klass.pk, []):
                    if rng.random() > done_share:
                        continue
                    missing = "长期病假，在家休养" if rng.random() < 0.01 else ""
                    x = rng.random()
                    records.append(
                        ScreeningRecord(
                            county_id=county.pk,
                            school_id=school.pk,
                            round=r,
                            student_id=st.pk,
                            klass_id=klass.pk,
                            psych=""
                            if missing
                            else (
                                "abnormal"
                                if x < 0.01
                                else "concern"
                                if x < 0.05
                                else "fair"
                                if x < 0.2
                                else "good"
                            ),
                            mood=""
                            if missing
                            else ("low" if x < 0.04 else "fluctuating" if x < 0.15 else "stable"),
                            peers=""
                            if missing
                            else (
                                "isolated"
                                if x < 0.02
                                else "tense"
                                if x < 0.06
                                else "ordinary"
                                if x < 0.25
                                else "harmonious"
                            ),
                            family_contacted=rng.random() < 0.7,
                            signs_seen=bool(not missing and x < 0.015),
                            note="课间多次独处，疑似被同学起绰号" if not missing and x < 0.015 else "",
                            missing_reason=missing,
                            recorded_by=rng.choice(teachers),
                        )
                    )
        ScreeningRecord.objects.bulk_create(records, batch_size=500)
        counts["screening_records"] = len(records)

        # one peer survey with answers (first junior school's first class)
        junior = next((s for s in schools if s.type in ("junior", "nine_year", "complete")), schools[0])
        klass = (classes_by_school.get(junior.pk) or [None])[0]
        if klass is not None and students_by_class.get(klass.pk):
            sts = students_by_class[klass.pk]
            teacher = (staff.get(junior.pk, {}).get(Role.CLASS_TEACHER) or [bureau])[0]
            survey = PeerSurvey.objects.create(
                county=county,
                school=junior,
                klass=klass,
                round=ScreeningRound.objects.get(county_round=cr, school=junior),
                closes_on=today + timedelta(days=5),
                opens_on=today - timedelta(days=3),
                created_by=teacher,
            )
            codes = set()
            while len(codes) < len(sts):
                codes.add("".join(rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(6)))
            tokens = [
                SurveyToken(county=county, school=junior, survey=survey, student_id=st.pk, code=c)
                for st, c in zip(sts, sorted(codes), strict=True)
            ]
            loner = sts[-1]
            for t in tokens:
                if rng.random() < 0.85:
                    t.used_at = now - timedelta(hours=rng.randint(1, 60))
            SurveyToken.objects.bulk_create(tokens)
            noms = []
            for t, st in zip(tokens, sts, strict=True):
                if t.used_at is None:
                    continue
                bullied = st.pk == loner.pk or rng.random() < 0.08
                resp = SurveyResponse.objects.create(
                    county=county,
                    school=junior,
                    survey=survey,
                    student_id=st.pk,
                    klass=klass,
                    victim={"verbal": 3, "exclusion": 2}
                    if st.pk == loner.pk
                    else ({"verbal": 1} if bullied else {}),
                    witnessed=["verbal"] if rng.random() < 0.3 else [],
                    places=["toilet", "corridor"] if bullied or rng.random() < 0.2 else [],
                    times=["break"] if bullied or rng.random() < 0.2 else [],
                    feels_safe=st.pk != loner.pk,
                    wants_help=st.pk == loner.pk,
                )
                mates = [m for m in sts if m.pk not in (st.pk, loner.pk)]
                for m in rng.sample(mates, min(3, len(mates))):
                    noms.append(
                        Nomination(
                            county=county,
                            school=junior,
                            survey=survey,
                            response=resp,
                            nominator_id=st.pk,
                            nominee_id=m.pk,
                            kind="friend",
                            klass=klass,
                        )
                    )
                if st.pk != loner.pk and rng.random() < 0.3:
                    noms.append(
                        Nomination(
                            county=county,
                            school=junior,
                            survey=survey,
                            response=resp,
                            nominator_id=st.pk,
                            nominee_id=loner.pk,
                            kind="isolated",
                            klass=klass,
                        )
                    )
            Nomination.objects.bulk_create(noms, ignore_conflicts=True)
            counts["survey_nominations"] = len(noms)

        # 欺凌倾向台账: two or three students per secondary school, one review overdue
        tendency = []
        for school in schools:
            if school.type == "primary":
                continue
            pool = [
                st for k in classes_by_school.get(school.pk, []) for st in students_by_class.get(k.pk, [])
            ]
            leader = (staff.get(school.pk, {}).get(Role.SAFETY_LEADER) or [None])[0]
            for j, st in enumerate(rng.sample(pool, min(len(pool), rng.randint(1, 3)))):
                added = today - timedelta(days=rng.randint(20, 120))
                tendency.append(
                    TendencyEntry(
                        county=county,
                        school=school,
                        student_id=st.pk,
                        added_by=leader,
                        added_on=added,
                        grounds=f"{added:%Y-%m-%d}：多次在课间给同学起侮辱性绰号，经班主任谈话后仍有反复",
                        review_due=today - timedelta(days=3)
                        if j == 0
                        else today + timedelta(days=rng.randint(10, 60)),
                    )
                )
        TendencyEntry.objects.bulk_create(tendency, batch_size=500, ignore_conflicts=True)
        counts["tendency"] = len(tendency)

        # hazard points, measures, zones, cameras, duty roster and logs, rectification
        hazards, measures, cams, zones, shifts, logs, rects = 0, 0, 0, 0, 0, 0, 0
        for school in schools:
            people = staff.get(school.pk, {})
            leader = (people.get(Role.SAFETY_LEADER) or [bureau])[0]
            guards = people.get(Role.SECURITY_STAFF) or [leader]
            managers = people.get(Role.MIDDLE_MANAGER) or [leader]
            zone_objs = MonitoringZone.objects.bulk_create(
                [
                    MonitoringZone(county=county, school=school, name=z)
                    for z in ZONES
                    if school.boarding or z != "宿舍区"
                ]
            )
            zones += len(zone_objs)
            picks = [h for h in HAZARDS if school.boarding or h[2] != "dorm"]
            points = []
            for name, loc, kind, windows, risk_grade in rng.sample(picks, min(len(picks), rng.randint(3, 5))):
                status = rng.choice(["open", "open", "controlled", "eliminated"])
                points.append(
                    HazardPoint(
                        county=county,
                        school=school,
                        name=name,
                        location=loc,
                        kind=kind,
                        time_windows=windows,
                        risk=risk_grade,
                        description="排查中发现该处" + windows + "时段学生聚集、教师视线不易覆盖",
                        found_on=today - timedelta(days=rng.randint(5, 40)),
                        owner=rng.choice(managers + [leader]),
                        due_date=today + timedelta(days=rng.randint(-5, 30)),
                        status=status,
                    )
                )
            points = HazardPoint.objects.bulk_create(points)
            hazards += len(points)
            ms = []
            for h in points:
                for mtype in rng.sample(list(MEASURES), rng.randint(0, 3)):
                    ms.append(
                        HazardMeasure(
                            county=county,
                            school=school,
                            hazard=h,
                            type=mtype,
                            description=rng.choice(MEASURES[mtype]),
                            owner=rng.choice(guards + managers),
                            due_date=today + timedelta(days=rng.randint(3, 20)),
                            done_on=today - timedelta(days=rng.randint(0, 5)) if rng.random() < 0.5 else None,
                        )
                    )
            HazardMeasure.objects.bulk_create(ms)
            measures += len(ms)
            for i, z in enumerate(zone_objs):
                cam = Camera.objects.create(
                    county=county,
                    school=school,
                    zone=z,
                    name=f"{z.name}{i + 1}号",
                    location=z.name,
                    working=rng.random() > 0.1,
                )
                covered = [h for h in points if h.location == "inside" and rng.random() < 0.5]
                if covered:
                    cam.covers.set(covered, through_defaults=keys_of(cam))
                cams += 1
            slots = [
                ("arrival", time(7, 10), time(7, 50)),
                ("break", time(9, 40), time(10, 10)),
                ("lunch", time(12, 0), time(13, 30)),
                ("dismissal", time(17, 10), time(18, 0)),
            ]
            if school.boarding:
                slots.append(("night", time(21, 30), time(23, 0)))
            day_shifts = DutyShift.objects.bulk_create(
                [
                    DutyShift(
                        county=county,
                        school=school,
                        period=p,
                        start_time=a,
                        end_time=b,
                        zone=zone_objs[i % len(zone_objs)],
                        person=guards[i % len(guards)],
                        weekdays="12345",
                    )
                    for i, (p, a, b) in enumerate(slots)
                ]
            )
            shifts += len(day_shifts)
            entries = []
            for d in range(1, 6):
                for sh in day_shifts[:2]:
                    at = datetime.combine(today - timedelta(days=d), sh.start_time, tzinfo=clock.SHANGHAI)
                    entries.append(
                        DutyLog(
                            county=county,
                            school=school,
                            shift=sh,
                            zone=sh.zone,
                            at=at,
                            logged_by=sh.person,
                            summary="重点时段监控值守，未发现异常",
                        )
                    )
            if school.pk == junior.pk:
                sh = day_shifts[1]
                entries.append(
                    DutyLog(
                        county=county,
                        school=school,
                        shift=sh,
                        zone=sh.zone,
                        logged_by=sh.person,
                        at=now - timedelta(hours=20),
                        summary=SIGNS[0],
                        place="教学楼东侧男厕所",
                        is_sign=True,
                    )
                )
            DutyLog.objects.bulk_create(entries)
            logs += len(entries)
            rs = []
            for k, (problem, measure, source) in enumerate(rng.sample(PROBLEMS, 2)):
                done = k == 0 and rng.random() < 0.6
                rs.append(
                    Rectification(
                        county=county,
                        school=school,
                        found_on=today - timedelta(days=rng.randint(10, 40)),
                        source=source,
                        problem=problem,
                        measure=measure,
                        owner=rng.choice(managers + [leader]),
                        due_date=today + timedelta(days=rng.randint(-7, 30)),
                        status="done" if done else rng.choice(["open", "in_progress"]),
                        done_on=today - timedelta(days=2) if done else None,
                        evidence="已完成，培训签到表和照片存德育处档案" if done else "",
                    )
                )
            Rectification.objects.bulk_create(rs)
            rects += len(rs)
        counts.update(
            hazards=hazards,
            measures=measures,
            cameras=cams,
            zones=zones,
            shifts=shifts,
            duty_logs=logs,
            rectifications=rects,
        )
        audit.append(
            "demo.load_screening",
            object_type="org.county",
            object_id=county.pk,
            county_id=county.pk,
            data={k: v for k, v in counts.items() if isinstance(v, int)},
        )
    total, changed = risk.recompute_county(county.pk)
    counts["risk_students"], counts["risk_changed"] = total, changed
    return counts
