"""Build the demo county 贺兰县 (``manage.py load_demo``).

Deterministic: all randomness comes from ``random.Random`` seeded with the seed (one stream
for the organisation, one for staff, one for students, so changing ``--students`` does not
rename the staff), and all dates follow from the fixed school year (data.SCHOOL_YEAR). Only
``password_changed_at`` is "now" (so the 90-day password rule does not force a change) and
dates that would lie in the future are capped at yesterday.

Everything is written with ``bulk_create`` in one transaction: bulk writes fire no audit
signals, which is intended for seeding; one ``demo.load`` audit event records the load.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from anxin.core import audit, clock
from anxin.core.roles import Role
from anxin.core.validators import id_check_digit
from anxin.demo import data
from anxin.demo.data import SchoolSpec

BATCH = 500

DUTY_TEXT = {
    "overall": ("校长", "学校欺凌防治工作第一责任人，主持学生欺凌治理委员会"),
    "safety": ("分管安全副校长", "分管安全工作，牵头组织学生欺凌防治"),
    "reporting": ("分管安全副校长", "欺凌事件首报、续报，不迟报、谎报、瞒报、漏报"),
    "committee": ("德育主任", "学生欺凌治理委员会日常工作"),
    "screening": ("德育主任", "组织全面排查摸底，动态更新弱势学生和隐患点台账"),
    "investigation": ("政教主任", "调查欺凌事件的时间、地点、起因、过程、涉及人员"),
    "family": ("德育主任", "家校沟通与家庭教育指导，双方家长相互通知"),
    "psych": ("心理教师", "心理健康教育，被欺凌学生心理辅导"),
    "legal_edu": ("法治副校长", "法治教育与警示教育"),
    "monitoring": ("保安", "重点时段视频监控值守，发现苗头及时报告"),
    "campus": ("保安", "校门值守与校园巡逻"),
    "dorm": ("宿管员", "宿舍管理与夜间巡查"),
    "class": ("班主任", "本班学生欺凌防治：排查、谈心谈话、家访、学生安全员"),
    "subject": ("任课教师", "课堂及课间管理，发现欺凌苗头及时报告"),
}
# Gaps on purpose, so the responsibility matrix shows missing duties somewhere.
NO_MATRIX = {"nqxx", "slxx"}
MISSING_DUTIES = {
    "hl4z": {"psych", "monitoring"},
    "yhxx": {"reporting", "family"},
    "lanx": {"legal_edu", "screening"},
    "jsxx": {"psych"},
}
CLASSES_WITHOUT_DUTY = {"xg4x": 2}  # the last N classes have no 本班 line
SAFETY_OFFICER_SCHOOLS = {
    "hl1z", "hl2z", "hl3z", "dssy", "hl1g", "hlhz", "xg1x", "xg2x", "xg3x", "nxjt", "gdjg",
    "jgzx", "jgxx", "lgzx", "hgzx", "cxxx", "xrxx", "nlxx",
}  # fmt: skip
# A middle manager who is also a class teacher (R-ORG-2): school -> (year, class number)
DUAL_POST = {"hl1z": (8, 2), "nqxx": (9, 1), "slxx": (6, 1)}
DEMO_TEACHER_CLASSES = [(7, 1), (7, 2), (8, 1)]  # hl1z_teacher
SUPERVISION = {
    "demo_supervisor": ["hl1z", "hl3z", "xg1x", "xg3x", "jgzx", "jgxx"],
    "hljy_dudao2": ["hl2z", "hl4z", "dssy", "xg2x", "lgzx", "lgxx"],
    "hljy_dudao3": ["hl1g", "hlhz", "hgzx", "hgxx", "cxxx"],
}
LEGAL_VPS = [  # username, unit, schools
    ("demo_legalvp", "贺兰县公安局习岗派出所", ["hl1z", "hl2z", "xg1x", "dssy"]),
    ("hl_fzfxz2", "贺兰县人民检察院", ["jgzx", "lgzx", "hgzx", "cxxx"]),
    ("hl_fzfxz3", "贺兰县人民法院", ["hl1g", "hlhz", "nxjt"]),
]
EMPLOYERS = [
    "务农", "务农", "个体经营", "自由职业", "贺兰县德胜工业园区", "银川市某物流公司",
    "宁夏某建筑公司", "贺兰县某超市", "贺兰县人民医院", "外出务工", "",
]  # fmt: skip
HEALTH = [("健康或良好", 960), ("一般或较弱", 28), ("有慢性病", 12)]
DISABILITIES = ["肢体残疾", "听力残疾", "视力残疾", "言语残疾"]


@dataclass
class Rates:
    left_behind: float
    migrant: float
    needs_aid: float
    only_child: float


RATES = {
    "town": Rates(0.04, 0.16, 0.06, 0.32),
    "rural": Rates(0.15, 0.05, 0.12, 0.14),
    "migrant": Rates(0.24, 0.08, 0.22, 0.08),
    "hui": Rates(0.08, 0.06, 0.12, 0.18),
    "voc": Rates(0.06, 0.0, 0.16, 0.15),
}
CLASS_SIZE = {"town": 1.3, "hui": 1.2, "voc": 1.0, "rural": 0.8, "migrant": 0.7}


class Weighted:
    """Fast weighted choice over a fixed list, driven by the caller's Random."""

    def __init__(self, pairs):
        self.items = [p[0] for p in pairs]
        self.cum = list(itertools.accumulate(p[1] for p in pairs))

    def pick(self, r: random.Random):
        return self.items[bisect.bisect_right(self.cum, r.random() * self.cum[-1])]


HAN = Weighted(data.HAN_SURNAMES)
HUI = Weighted(data.HUI_SURNAMES)
OTHER_ETH = Weighted(data.NON_HUI_ETHNICITIES)
HEALTH_W = Weighted(HEALTH)


@dataclass
class SchoolPlan:
    spec: SchoolSpec
    school: object
    grades: list = field(default_factory=list)  # (year, Grade)
    classes: list = field(default_factory=list)  # (year, number, SchoolClass)
    users: dict = field(default_factory=dict)  # post key -> User
    class_teachers: list = field(default_factory=list)  # (SchoolClass, User)
    subject_teachers: list = field(default_factory=list)  # User
    students_by_class: dict = field(default_factory=dict)  # class -> [Student]


class DemoBuilder:
    def __init__(self, seed: int, students: int, school_year: int = data.SCHOOL_YEAR):
        self.seed = seed
        self.n_students = students
        self.sy = school_year
        self.r_org = random.Random(f"anxin-demo:{seed}:org")
        self.r_staff = random.Random(f"anxin-demo:{seed}:staff")
        self.r_stu = random.Random(f"anxin-demo:{seed}:students")
        self.latest = clock.today() - timedelta(days=1)
        self.now = clock.now()
        self.password = make_password(data.DEMO_PASSWORD)  # hashed once for every account
        self.staff_phones: set[str] = set()
        self.staff_names: set[str] = set()
        self.landlines: set[str] = {data.BUREAU_PHONE, *(o[2] for o in data.OFFICES)}
        self.codes: set[str] = set()
        self.ids: set[str] = set()
        # model rows, in save order
        self.county = None
        self.offices, self.schools, self.grades, self.classes = [], [], [], []
        self.users, self.memberships, self.devices = [], [], []
        self.students, self.guardians, self.placements = [], [], []
        self.responsibilities, self.safety_officers = [], []
        self.plans: dict[str, SchoolPlan] = {}
        self.by_username: dict[str, object] = {}

    # --- helpers ----------------------------------------------------------------------------
    def past(self, d: date) -> date:
        """Dates of the fixed school year, never in the future (posts must have started)."""
        return min(d, self.latest)

    def mobile(self, r: random.Random, unique: bool = False) -> str:
        while True:
            number = r.choice(data.MOBILE_PREFIXES) + f"{r.randrange(10**8):08d}"
            if not unique:
                return number
            if number not in self.staff_phones:
                self.staff_phones.add(number)
                return number

    def landline(self) -> str:
        while True:
            number = f"0951-80{self.r_org.randrange(10**5):05d}"
            if number not in self.landlines:
                self.landlines.add(number)
                return number

    def school_code(self, spec: SchoolSpec) -> str:
        # 学校标识码: 2 category digits (21 中小学, 36 中职/技工) + 2 province (64) + 6 serial
        prefix = "36" if spec.profile == "voc" else "21"
        while True:
            code = f"{prefix}64{self.r_org.randrange(10**6):06d}"
            if code not in self.codes:
                self.codes.add(code)
                return code

    def public_code(self) -> str:
        return base64.urlsafe_b64encode(self.r_org.getrandbits(48).to_bytes(6, "big")).decode()

    @staticmethod
    def given_name(r: random.Random, male: bool) -> str:
        if r.random() < 0.15:
            return r.choice(data.BOY_SINGLE if male else data.GIRL_SINGLE)
        if male:
            return r.choice(data.BOY_FIRST) + r.choice(data.BOY_SECOND)
        return r.choice(data.GIRL_FIRST) + r.choice(data.GIRL_SECOND)

    @staticmethod
    def surname(r: random.Random, hui: bool) -> str:
        return (HUI if hui else HAN).pick(r)

    def adult_name(self, r: random.Random, male: bool, hui_share: float) -> str:
        return self.surname(r, r.random() < hui_share) + r.choice(
            data.ADULT_MALE if male else data.ADULT_FEMALE
        )

    # --- organisation -----------------------------------------------------------------------
    def build_org(self) -> None:
        from anxin.org.models import County, Grade, Office, Region, School, SchoolClass

        code, name, level, department = data.PROVINCE
        self.province = Region(code=code, name=name, level=level, department_name=department)
        code, name, level, department = data.CITY
        self.city = Region(
            code=code, name=name, level=level, department_name=department, parent=self.province
        )
        self.county = County(
            region=self.city,
            name=data.COUNTY_NAME,
            code=data.COUNTY_CODE,
            bureau_name=data.BUREAU_NAME,
            bureau_phone=data.BUREAU_PHONE,
        )
        for kind, name, phone in data.OFFICES:
            self.offices.append(Office(county=self.county, kind=kind, name=name, phone=phone))
        for spec in data.SCHOOLS:
            school = School(
                county=self.county,
                name=spec.name,
                short_name=spec.short_name,
                code=self.school_code(spec),
                type=spec.type,
                boarding=spec.boarding,
                town=spec.town,
                address=spec.address,
                antibullying_phone=self.landline(),
                antibullying_email=f"fqb.{spec.slug}@{data.MAIL_DOMAIN}",
                public_code=self.public_code(),
            )
            self.schools.append(school)
            plan = SchoolPlan(spec, school)
            self.plans[spec.slug] = plan
            for year, gname, stage in data.grades_for(spec.type):
                grade = Grade(county=self.county, school=school, name=gname, stage=stage, year=year)
                self.grades.append(grade)
                plan.grades.append((year, grade))
                for n in range(1, spec.per_grade + 1):
                    klass = SchoolClass(county=self.county, school=school, grade=grade, name=f"{n}班")
                    self.classes.append(klass)
                    plan.classes.append((year, n, klass))

    # --- staff ------------------------------------------------------------------------------
    def user(self, username: str, real_name: str) -> object:
        from anxin.accounts.models import User

        u = User(
            username=username,
            real_name=real_name,
            phone=self.mobile(self.r_staff, unique=True),
            county=self.county,
            password=self.password,
            must_change_password=False,
            password_changed_at=self.now,
            is_active=True,
        )
        self.users.append(u)
        self.by_username[username] = u
        return u

    def staff(self, username: str, hui_share: float, male: bool | None = None) -> object:
        r = self.r_staff
        male = r.random() < 0.5 if male is None else male
        while True:  # staff names are unique in the demo, so lists are easy to read
            name = self.adult_name(r, male, hui_share)
            if name not in self.staff_names:
                self.staff_names.add(name)
                return self.user(username, name)

    def member(self, user, role, school=None, klass=None, title="", unit="", started=None) -> None:
        from anxin.accounts.models import Membership

        started = self.past(started or date(self.sy, 8, 25))
        self.memberships.append(
            Membership(
                user=user,
                role=role,
                title=title,
                county=self.county,
                school=school,
                klass=klass,
                unit=unit,
                started_on=started,
            )
        )

    def build_staff(self) -> None:
        r = self.r_staff
        for slug, plan in self.plans.items():
            spec, school = plan.spec, plan.school
            hui = data.HUI_SHARE[spec.profile]
            voc = spec.profile == "voc"
            n_classes = len(plan.classes)
            posts = plan.users

            def post(key, role, title, male=None, years_back=(0, 0), _plan=plan, _hui=hui):
                u = self.staff(f"{_plan.spec.slug}_{key}", _hui, male)
                start = date(self.sy - r.randint(*years_back), 8, 1 if years_back[1] else 25)
                self.member(u, role, _plan.school, title=title, started=start)
                _plan.users[key] = u
                return u

            post("principal", Role.PRINCIPAL, "校长", male=r.random() < 0.7, years_back=(1, 6))
            safety = post("safety", Role.SAFETY_LEADER, "分管安全副校长", years_back=(1, 4))
            school.safety_leader_phone = safety.phone
            post("deyu", Role.MIDDLE_MANAGER, "学生工作处主任" if voc else "德育主任", years_back=(0, 3))
            if n_classes >= 12:
                post("zhengjiao", Role.MIDDLE_MANAGER, "政教主任", years_back=(0, 3))
            post(
                "counsellor",
                Role.COUNSELLOR,
                "专职心理教师" if n_classes >= 12 else "兼职心理教师",
                male=r.random() < 0.25,
                years_back=(0, 2),
            )
            post("security", Role.SECURITY_STAFF, "保安", male=True, years_back=(0, 3))
            if spec.boarding:
                post("dorm", Role.SECURITY_STAFF, "宿管员", years_back=(0, 3))

            # class teachers; one middle manager also runs a class (R-ORG-2)
            dual = DUAL_POST.get(slug)
            female_share = 0.75 if spec.type == "primary" else 0.6
            for year, n, klass in plan.classes:
                if dual == (year, n):
                    u = posts["deyu"]
                else:
                    u = self.staff(f"{slug}_ct_{year}_{n}", hui, male=r.random() > female_share)
                self.member(u, Role.CLASS_TEACHER, school, klass, title="班主任")
                plan.class_teachers.append((klass, u))

            # subject teachers, each teaching 2–4 classes
            subjects = data.VOC_SUBJECTS if voc else data.SUBJECTS
            n_teachers = min(5, 2 + n_classes // 8)
            for i in range(n_teachers):
                key = "teacher" if i == 0 else f"teacher{i + 1}"
                subject = subjects[i % len(subjects)]
                u = self.staff(f"{slug}_{key}", hui, male=r.random() > female_share)
                if slug == data.DEMO_SCHOOL and i == 0:
                    taught = [k for y, n, k in plan.classes if (y, n) in DEMO_TEACHER_CLASSES]
                else:
                    k = min(len(plan.classes), r.randint(2, 4))
                    idx = sorted(r.sample(range(len(plan.classes)), k))
                    taught = [plan.classes[j][2] for j in idx]
                for klass in taught:
                    self.member(u, Role.SUBJECT_TEACHER, school, klass, title=f"{subject}教师")
                plan.subject_teachers.append(u)

        self.build_county_staff()

    def build_county_staff(self) -> None:
        bureau = data.BUREAU_NAME
        county_posts = [
            ("demo_admin", Role.BUREAU_ADMIN, "系统管理员", f"{bureau}综合办"),
            ("demo_safety", Role.BUREAU_SAFETY, "安全股股长", f"{bureau}安全股"),
            ("hljy_aqg2", Role.BUREAU_SAFETY, "安全股干事", f"{bureau}安全股"),
            ("hljy_zhb", Role.BUREAU_SAFETY, "综合办主任", f"{bureau}综合办"),
            ("demo_auditor", Role.AUDITOR, "安全审计员", f"{bureau}综合办"),
            ("demo_police", Role.PARTNER_LIAISON, "公安联络员（治安大队）", data.POLICE),
            ("hl_jcy_liaison", Role.PARTNER_LIAISON, "检察联络员（未成年人检察）", data.PROCURATORATE),
            ("hl_fy_liaison", Role.PARTNER_LIAISON, "法院联络员（少年法庭）", data.COURT),
        ]
        for username, role, title, unit in county_posts:
            u = self.staff(username, 0.2)
            self.member(u, role, title=title, unit=unit, started=date(self.sy - 2, 3, 1))
        for username, slugs in SUPERVISION.items():
            u = self.staff(username, 0.2)
            for slug in slugs:
                self.member(
                    u,
                    Role.SUPERVISOR,
                    self.plans[slug].school,
                    title="责任督学",
                    unit="贺兰县教育督导室",
                    started=date(self.sy - 1, 9, 1),
                )
        for username, unit, slugs in LEGAL_VPS:
            u = self.staff(username, 0.2)
            for slug in slugs:
                school = self.plans[slug].school
                self.member(
                    u, Role.LEGAL_VP, school, title="法治副校长", unit=unit, started=date(self.sy, 3, 1)
                )
                school.legal_vp_phone = u.phone
                self.plans[slug].users["legal_vp"] = u

    # --- students ---------------------------------------------------------------------------
    def allocate(self) -> list[tuple[SchoolPlan, int, object, int]]:
        """Students per class, proportional to a class-size weight (largest remainder)."""
        slots = [
            (plan, year, klass, CLASS_SIZE[plan.spec.profile])
            for plan in self.plans.values()
            for year, _n, klass in plan.classes
        ]
        total_w = sum(s[3] for s in slots)
        exact = [self.n_students * s[3] / total_w for s in slots]
        counts = [int(x) for x in exact]
        rest = self.n_students - sum(counts)
        order = sorted(range(len(slots)), key=lambda i: (-(exact[i] - counts[i]), i))
        for i in order[:rest]:
            counts[i] += 1
        return [(s[0], s[1], s[2], c) for s, c in zip(slots, counts, strict=True)]

    def first_year(self, spec: SchoolSpec, year: int) -> int:
        if spec.type in ("primary", "nine_year"):
            return 1
        if spec.type == "complete":
            return 7 if year <= 9 else 10
        return 7 if spec.type == "junior" else 10

    def id_number(self, area: str, birth: date, male: bool) -> str:
        r = self.r_stu
        while True:
            sex_digit = r.choice("13579" if male else "02468")
            body = f"{area}{birth:%Y%m%d}{r.randrange(100):02d}{sex_digit}"
            number = body + id_check_digit(body)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def address(self, spec: SchoolSpec) -> str:
        r = self.r_stu
        if spec.town in data.TOWN_COMMUNITIES and (spec.profile != "voc" or r.random() < 0.5):
            if r.random() < 0.8:
                community = r.choice(data.TOWN_COMMUNITIES[spec.town])
                return f"贺兰县{spec.town}{community}{r.randint(1, 24)}号楼{r.randint(1, 4)}单元{r.randint(1, 18)}0{r.randint(1, 4)}"
            return f"贺兰县{spec.town}{r.choice(data.VILLAGES[spec.town])}{r.randint(1, 9)}组"
        town = (
            spec.town
            if spec.town in data.VILLAGES and spec.profile != "voc"
            else r.choice(list(data.VILLAGES))
        )
        return f"贺兰县{town}{r.choice(data.VILLAGES[town])}{r.randint(1, 9)}组"

    def build_students(self) -> None:
        from anxin.roster.models import IdType, Student, id_index_for, student_no_index_for

        r = self.r_stu
        for plan, year, klass, count in self.allocate():
            spec = plan.spec
            rates = RATES[spec.profile]
            hui_share = data.HUI_SHARE[spec.profile]
            entry_year = self.sy - (year - self.first_year(spec, year))
            placed_on = self.past(date(entry_year, 9, 1))
            boarding_rate = 0.0
            if spec.boarding:
                boarding_rate = 0.6 if year >= 10 else (0.4 if year >= 7 else (0.25 if year >= 4 else 0.0))
            roster = plan.students_by_class.setdefault(id(klass), [])
            for _ in range(count):
                male = r.random() < 0.515
                hui = r.random() < hui_share
                surname = self.surname(r, hui)
                name = surname + self.given_name(r, male)
                ethnicity = "03" if hui else OTHER_ETH.pick(r)
                # born Sept (Y-year-6) … Aug (Y-year-5); a few are a year older
                start = date(self.sy - year - 6 - (1 if r.random() < 0.04 else 0), 9, 1)
                birth = start + timedelta(days=r.randrange(365))
                migrant = r.random() < rates.migrant
                if migrant:
                    area = r.choice(data.MIGRANT_AREAS)[0]
                elif spec.profile == "voc" and r.random() < 0.55:
                    area = r.choice(data.NINGXIA_AREAS)[0]
                else:
                    area = data.COUNTY_CODE
                id_number = self.id_number(area, birth, male)
                left_behind = "0"
                if r.random() < rates.left_behind:
                    left_behind = "1" if r.random() < 0.6 else "2"
                orphan = r.random() < 0.003
                health = HEALTH_W.pick(r)
                disability = r.choice(DISABILITIES) if r.random() < 0.003 else ""
                student = Student(
                    county=self.county,
                    school=plan.school,
                    klass=klass,
                    student_no="G" + id_number,
                    # bulk_create skips save(): the 学籍号's blind index is set here
                    student_no_index=student_no_index_for("G" + id_number),
                    name=name,
                    sex="1" if male else "2",
                    birth_date=birth,
                    ethnicity=ethnicity,
                    id_type=IdType.RESIDENT,
                    id_number=id_number,
                    # the roster's own blind index, so a re-import matches demo students
                    id_index=id_index_for(IdType.RESIDENT, id_number),
                    attendance="2" if r.random() < boarding_rate else "1",
                    enrolled_month=f"{placed_on:%Y%m}",
                    left_behind=left_behind,
                    migrant=migrant,
                    orphan=orphan,
                    only_child=r.random() < rates.only_child,
                    needs_aid=orphan or r.random() < rates.needs_aid,
                    health=health,
                    disability=disability,
                    address=self.address(spec),
                )
                guardians = self.family(student, surname, hui, left_behind, orphan)
                student.phone = guardians[0].phone
                self.students.append(student)
                self.guardians.extend(guardians)
                self.placements.append(self.placement(student, placed_on))
                roster.append(student)

    def placement(self, student, started_on: date):
        from anxin.roster.models import Placement

        return Placement(
            county=self.county,
            school=student.school,
            klass=student.klass,
            student=student,
            started_on=started_on,
            reason="新生入学",
        )

    def family(self, student, surname: str, hui: bool, left_behind: str, orphan: bool) -> list:
        from anxin.roster.models import Guardian

        r = self.r_stu
        share = 0.9 if hui else 0.05

        def person(relation, male, elder=False, same_surname=False, lives_with=True, employer=None):
            family = surname if same_surname else self.surname(r, r.random() < share)
            pool = (data.ELDER_MALE if male else data.ELDER_FEMALE) if elder else None
            pool = pool or (data.ADULT_MALE if male else data.ADULT_FEMALE)
            return Guardian(
                county=self.county,
                school=student.school,
                student=student,
                name=family + r.choice(pool),
                relation=relation,
                phone=self.mobile(r),
                is_guardian=True,
                lives_with=lives_with,
                employer=r.choice(EMPLOYERS) if employer is None else employer,
            )

        def father(**kw):
            return person("父亲", True, same_surname=True, **kw)

        def mother(**kw):
            return person("母亲", False, **kw)

        if orphan:
            members = [person("祖母", False, elder=True, employer="")]
            if r.random() < 0.5:
                members.append(person("叔叔", True, same_surname=True))
        elif left_behind == "2":  # both parents work away: grandparents care
            if r.random() < 0.6:
                carer = person("祖母", False, elder=True, employer="务农")
            else:
                carer = person("祖父", True, elder=True, same_surname=True, employer="务农")
            members = [carer, father(lives_with=False, employer="外出务工")]
        elif left_behind == "1":
            members = [mother(), father(lives_with=False, employer="外出务工")]
        else:
            members = [father(), mother()] if r.random() < 0.55 else [mother(), father()]
            if r.random() < 0.3:
                members = members[:1]
        for i, g in enumerate(members, start=1):
            g.position = i
        return members

    # --- responsibility matrix and student safety officers ----------------------------------
    def build_duties(self) -> None:
        from anxin.org.models import Responsibility, SafetyOfficer

        r = self.r_org
        for slug, plan in self.plans.items():
            if slug in NO_MATRIX:
                continue
            posts = plan.users
            missing = MISSING_DUTIES.get(slug, set())

            def add(duty, user, klass=None, post=None, detail=None, _plan=plan, _missing=missing):
                if duty in _missing or user is None:
                    return
                default_post, default_detail = DUTY_TEXT[duty]
                self.responsibilities.append(
                    Responsibility(
                        county=self.county,
                        school=_plan.school,
                        duty=duty,
                        person=user,
                        post=post or default_post,
                        detail=detail or default_detail,
                        klass=klass,
                    )
                )

            deyu_title = "学生工作处主任" if plan.spec.profile == "voc" else "德育主任"
            add("overall", posts["principal"])
            add("safety", posts["safety"])
            add("reporting", posts["safety"])
            add("committee", posts["deyu"], post=deyu_title)
            add("screening", posts["deyu"], post=deyu_title)
            investigator = posts.get("zhengjiao") or posts["deyu"]
            add("investigation", investigator, post="政教主任" if "zhengjiao" in posts else deyu_title)
            add("family", posts["deyu"], post=deyu_title)
            add("psych", posts["counsellor"])
            if "legal_vp" in posts:
                add("legal_edu", posts["legal_vp"])
            else:
                add("legal_edu", investigator, post="政教主任" if "zhengjiao" in posts else deyu_title)
            add("monitoring", posts["security"])
            add("campus", posts["security"])
            if "dorm" in posts:
                add("dorm", posts["dorm"])
            skip = CLASSES_WITHOUT_DUTY.get(slug, 0)
            teachers = plan.class_teachers[: len(plan.class_teachers) - skip]
            for klass, user in teachers:
                add("class", user, klass=klass, detail=f"{klass.grade.name}{klass.name}学生欺凌防治")
            for user in plan.subject_teachers:
                add("subject", user)

        appointed = self.past(date(self.sy, 9, 15))
        for slug in sorted(SAFETY_OFFICER_SCHOOLS):
            plan = self.plans[slug]
            for year, _n, klass in plan.classes:
                pupils = plan.students_by_class.get(id(klass), [])
                if year < 3 or not pupils:
                    continue
                for student in r.sample(pupils, min(len(pupils), r.randint(1, 2))):
                    self.safety_officers.append(
                        SafetyOfficer(
                            county=self.county,
                            school=plan.school,
                            klass=klass,
                            student=student,
                            appointed_on=appointed,
                            duties="课间巡查，发现欺凌苗头及时向班主任报告",
                        )
                    )

    def build_region_post(self) -> None:
        """The province's education department: an account of no county, one region post (made
        after every other account, so the demo's other generated names stay as they were)."""
        from anxin.accounts.models import RegionPost

        u = self.staff(data.REGION_LOGIN.username, 0.3)
        u.county = None
        self.region_post = RegionPost(
            user=u, region=self.province, title="基础教育处", started_on=self.past(date(self.sy - 1, 9, 1))
        )

    def build_devices(self) -> None:
        from django.conf import settings
        from django_otp.plugins.otp_totp.models import TOTPDevice

        need = set(settings.ANXIN_2FA_ROLES)
        for login in [*data.DEMO_LOGINS, data.REGION_LOGIN]:
            if login.role in need or login is data.REGION_LOGIN:
                self.devices.append(
                    TOTPDevice(
                        user=self.by_username[login.username],
                        name="演示动态口令",
                        key=data.demo_totp_key(login.username),
                        confirmed=True,
                    )
                )

    # --- write ------------------------------------------------------------------------------
    def save(self) -> dict:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from anxin.accounts.models import Membership, PasswordHistory, RegionPost, User
        from anxin.org.models import (
            County,
            Grade,
            Office,
            Region,
            Responsibility,
            SafetyOfficer,
            School,
            SchoolClass,
        )
        from anxin.roster.models import Guardian, Placement, Student

        steps = [
            (Region, [self.province]),
            (Region, [self.city]),
            (County, [self.county]),
            (Office, self.offices),
            (School, self.schools),
            (Grade, self.grades),
            (SchoolClass, self.classes),
            (User, self.users),
            (Membership, self.memberships),
            (RegionPost, [self.region_post]),
            (TOTPDevice, self.devices),
            (Student, self.students),
            (Guardian, self.guardians),
            (Placement, self.placements),
            (Responsibility, self.responsibilities),
            (SafetyOfficer, self.safety_officers),
        ]
        counts = {}
        for model, rows in steps:
            model._base_manager.bulk_create(rows, batch_size=BATCH)
            counts[model._meta.label_lower] = counts.get(model._meta.label_lower, 0) + len(rows)
            if model is User:
                # bulk_create skips User.save(): the shared demo password goes into each
                # account's password history here, so it cannot be "changed" back to (LAW 21)
                PasswordHistory.objects.bulk_create(
                    [PasswordHistory(user=u, password=u.password, created_at=self.now) for u in rows],
                    batch_size=BATCH,
                )
        return counts

    def build(self) -> None:
        self.build_org()
        self.build_staff()
        self.build_students()
        self.build_duties()
        self.build_region_post()
        self.build_devices()


class DemoExists(Exception):
    pass


def county_exists() -> bool:
    from anxin.org.models import County

    return County.objects.filter(code=data.COUNTY_CODE).exists()


def load(seed: int = 2024, students: int = 8000, school_year: int = data.SCHOOL_YEAR) -> dict:
    """Build and save the demo county; returns the row counts. Refuses when it exists."""
    from anxin.accounts.models import User

    builder = DemoBuilder(seed, students, school_year)
    builder.build()
    with transaction.atomic():
        if county_exists():
            raise DemoExists(data.COUNTY_CODE)
        taken = list(
            User.objects.filter(username__in=list(builder.by_username)).values_list("username", flat=True)[:5]
        )
        if taken:
            raise DemoExists(", ".join(taken))
        counts = builder.save()
        audit.append(
            "demo.load",
            object_type="org.county",
            object_id=builder.county.pk,
            county_id=builder.county.pk,
            data={"seed": seed, "school_year": school_year, "counts": counts},
        )
    return counts
