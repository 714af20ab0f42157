"""Fixed data of the demo county (贺兰县): schools, names, places and the demo logins.

Everything random in the demo comes from ``random.Random(seed)`` over these lists, so one seed
always gives the same county (see ``anxin.demo.loader``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from anxin.core.roles import Role

COUNTY_CODE = "640122"
COUNTY_NAME = "贺兰县"
BUREAU_NAME = "贺兰县教育体育局"
BUREAU_PHONE = "0951-8061201"
OFFICES = [  # (kind, name, phone)
    ("general", "综合办", "0951-8061202"),
    ("safety", "安全股", "0951-8061203"),
    ("supervision", "教育督导室", "0951-8061205"),
]

# One password for every demo account. It passes the password policy
# (anxin.accounts.validators + AUTH_PASSWORD_VALIDATORS); a test keeps it so.
DEMO_PASSWORD = "Anxin@Demo2026"

# The school year the demo is set in (autumn intake). Students' ages, entry months and
# placements follow from it; it is fixed so the output does not depend on today's date.
SCHOOL_YEAR = 2026

# Fixed e-mail domain under the reserved .example TLD (RFC 2606): nothing is ever delivered.
MAIL_DOMAIN = "helan-edu.example"


@dataclass(frozen=True)
class SchoolSpec:
    slug: str  # prefix of the staff usernames
    name: str
    short_name: str
    type: str
    town: str
    per_grade: int  # classes per grade
    boarding: bool
    profile: str  # town | rural | migrant (生态移民) | hui | voc
    address: str


S = SchoolSpec
# fmt: off
SCHOOLS: list[SchoolSpec] = [
    S("hl1z", "贺兰县第一中学", "贺兰一中", "complete", "习岗镇", 3, True,
      "town", "贺兰县习岗镇银河东路"),
    S("hl2z", "贺兰县第二中学", "贺兰二中", "junior", "习岗镇", 4, False,
      "town", "贺兰县习岗镇富兴南街"),
    S("hl3z", "贺兰县第三中学", "贺兰三中", "junior", "习岗镇", 3, False,
      "town", "贺兰县习岗镇怀远路"),
    S("hl4z", "贺兰县第四中学", "贺兰四中", "junior", "习岗镇", 2, False,
      "town", "贺兰县习岗镇北京路"),
    S("dssy", "贺兰县德胜实验学校", "德胜实验学校", "nine_year", "习岗镇", 2, False,
      "town", "贺兰县德胜工业园区"),
    S("hl1g", "贺兰县第一高级中学", "贺兰一高", "senior", "习岗镇", 4, True,
      "town", "贺兰县习岗镇兴源路"),
    S("hlhz", "贺兰县回民高级中学", "贺兰回中", "senior", "习岗镇", 3, True,
      "hui", "贺兰县习岗镇光明路"),
    S("xg1x", "贺兰县习岗第一小学", "习岗第一小学", "primary", "习岗镇", 4, False,
      "town", "贺兰县习岗镇富兴北街"),
    S("xg2x", "贺兰县习岗第二小学", "习岗第二小学", "primary", "习岗镇", 3, False,
      "town", "贺兰县习岗镇银河西路"),
    S("xg3x", "贺兰县习岗第三小学", "习岗第三小学", "primary", "习岗镇", 3, False,
      "town", "贺兰县习岗镇贺兰山路"),
    S("xg4x", "贺兰县习岗第四小学", "习岗第四小学", "primary", "习岗镇", 2, False,
      "town", "贺兰县习岗镇团结路"),
    S("nxjt", "宁夏交通学校", "交通学校", "vocational", "习岗镇", 3, True,
      "voc", "贺兰县职教园区"),
    S("qsjg", "宁夏青松技工学校", "青松技校", "technical", "习岗镇", 2, True,
      "voc", "贺兰县职教园区"),
    S("gdjg", "宁夏轨道交通高级技工学校", "轨道交通技校", "technical", "习岗镇", 2, True,
      "voc", "贺兰县职教园区"),
    S("jgzx", "贺兰县金贵中学", "金贵中学", "junior", "金贵镇", 2, True,
      "rural", "贺兰县金贵镇金贵村"),
    S("jgxx", "贺兰县金贵中心小学", "金贵中心小学", "primary", "金贵镇", 2, False,
      "rural", "贺兰县金贵镇金贵村"),
    S("yhxx", "贺兰县金贵镇银河小学", "银河小学", "primary", "金贵镇", 1, False,
      "rural", "贺兰县金贵镇银河村"),
    S("hzxx", "贺兰县金贵镇汉佐小学", "汉佐小学", "primary", "金贵镇", 1, False,
      "rural", "贺兰县金贵镇汉佐村"),
    S("lgzx", "贺兰县立岗中学", "立岗中学", "junior", "立岗镇", 2, True,
      "rural", "贺兰县立岗镇立岗村"),
    S("lgxx", "贺兰县立岗中心小学", "立岗中心小学", "primary", "立岗镇", 2, False,
      "rural", "贺兰县立岗镇立岗村"),
    S("lanx", "贺兰县立岗镇兰光小学", "兰光小学", "primary", "立岗镇", 1, False,
      "rural", "贺兰县立岗镇兰光村"),
    S("hgzx", "贺兰县洪广中学", "洪广中学", "junior", "洪广镇", 2, True,
      "rural", "贺兰县洪广镇洪广村"),
    S("hgxx", "贺兰县洪广中心小学", "洪广中心小学", "primary", "洪广镇", 2, False,
      "rural", "贺兰县洪广镇洪广村"),
    S("xrxx", "贺兰县洪广镇欣荣小学", "欣荣小学", "primary", "洪广镇", 1, False,
      "migrant", "贺兰县洪广镇欣荣村"),
    S("jsxx", "贺兰县洪广镇金山小学", "金山小学", "primary", "洪广镇", 1, False,
      "rural", "贺兰县洪广镇金山村"),
    S("cxxx", "贺兰县常信中心学校", "常信中心学校", "nine_year", "常信乡", 2, True,
      "rural", "贺兰县常信乡常信村"),
    S("slxx", "贺兰县常信乡四十里店小学", "四十里店小学", "primary", "常信乡", 1, False,
      "rural", "贺兰县常信乡四十里店村"),
    S("nqxx", "贺兰县暖泉学校", "暖泉学校", "nine_year", "暖泉农场", 1, True,
      "rural", "贺兰县暖泉农场场部"),
    S("nlxx", "贺兰县南梁学校", "南梁学校", "nine_year", "南梁台子", 1, True,
      "migrant", "贺兰县南梁台子管委会"),
]
# fmt: on
del S

DEMO_SCHOOL = "hl1z"  # 贺兰县第一中学: the school of the per-role demo logins

# Stages each school type teaches: (year numbers, stage, grade names)
PRIMARY_GRADES = [(1, "一年级"), (2, "二年级"), (3, "三年级"), (4, "四年级"), (5, "五年级"), (6, "六年级")]
JUNIOR_GRADES = [(7, "初一"), (8, "初二"), (9, "初三")]
SENIOR_GRADES = [(10, "高一"), (11, "高二"), (12, "高三")]
VOC_GRADES = [(10, "一年级"), (11, "二年级"), (12, "三年级")]


def grades_for(school_type: str) -> list[tuple[int, str, str]]:
    """(year, name, stage) of each grade a school of this type has."""
    primary = [(y, n, "primary") for y, n in PRIMARY_GRADES]
    junior = [(y, n, "junior") for y, n in JUNIOR_GRADES]
    senior = [(y, n, "senior") for y, n in SENIOR_GRADES]
    return {
        "primary": primary,
        "junior": junior,
        "nine_year": primary + junior,
        "senior": senior,
        "complete": junior + senior,
        "vocational": [(y, n, "vocational") for y, n in VOC_GRADES],
        "technical": [(y, n, "vocational") for y, n in VOC_GRADES],
    }[school_type]


# --- places ---------------------------------------------------------------------------------
TOWN_COMMUNITIES = {
    "习岗镇": [
        "富兴社区",
        "银河社区",
        "南关社区",
        "北街社区",
        "德胜社区",
        "丽子园社区",
        "兰馨社区",
        "金山社区",
    ],
}
VILLAGES = {
    "习岗镇": ["新平村", "桃林村", "习岗村", "金星村", "星火村"],
    "金贵镇": ["金贵村", "银河村", "汉佐村", "关渠村", "通昌村", "联星村", "雄英村", "红星村", "保南村"],
    "立岗镇": ["立岗村", "星光村", "兰光村", "通义村", "永丰村", "民乐村", "幸福村"],
    "洪广镇": ["洪广村", "金沙村", "欣荣村", "金山村", "高荣村", "广荣村", "洪西村"],
    "常信乡": ["常信村", "四十里店村", "丁北村", "丰登村", "张亮村", "于祥村", "王田村", "高台村"],
    "暖泉农场": ["一队", "二队", "三队", "四队", "五队"],
    "南梁台子": ["隆源村", "良田村", "南梁新村"],
}
# Other Ningxia area codes: students of the provincial vocational schools come from the whole
# region; migrant children (随迁子女) often from 西海固 in the south.
NINGXIA_AREAS = [
    ("640104", "银川市兴庆区"),
    ("640105", "银川市西夏区"),
    ("640106", "银川市金凤区"),
    ("640121", "永宁县"),
    ("640181", "灵武市"),
    ("640221", "平罗县"),
    ("640302", "吴忠市利通区"),
    ("640324", "同心县"),
    ("640381", "青铜峡市"),
    ("640402", "固原市原州区"),
    ("640422", "西吉县"),
    ("640423", "隆德县"),
    ("640522", "海原县"),
]
MIGRANT_AREAS = [
    ("640402", "固原市原州区"),
    ("640422", "西吉县"),
    ("640425", "彭阳县"),
    ("640522", "海原县"),
    ("640324", "同心县"),
    ("622701", "甘肃省平凉市崆峒区"),
    ("620421", "甘肃省靖远县"),
]

# --- people ---------------------------------------------------------------------------------
# Surnames with rough weights: 贺兰 has a sizeable Hui population, in which 马 leads.
# fmt: off
HAN_SURNAMES = [
    ("王", 90), ("李", 85), ("张", 80), ("刘", 65), ("杨", 40), ("陈", 35), ("赵", 30), ("马", 30), ("黄", 18),
    ("周", 18), ("吴", 16), ("徐", 15), ("孙", 15), ("胡", 13), ("朱", 13), ("高", 14), ("郭", 14), ("何", 10),
    ("罗", 9), ("梁", 9), ("宋", 9), ("郑", 8), ("谢", 7), ("韩", 9), ("唐", 7), ("冯", 7), ("于", 8), ("董", 8),
    ("程", 6), ("曹", 7), ("袁", 6), ("许", 6), ("吕", 6), ("苏", 7), ("蒋", 5), ("贾", 7), ("丁", 6), ("魏", 7),
    ("薛", 6), ("闫", 6), ("田", 7), ("任", 6), ("姜", 5), ("范", 5), ("石", 6), ("姚", 5), ("金", 5), ("郝", 6),
    ("白", 6), ("崔", 5), ("康", 4), ("秦", 4), ("史", 5), ("侯", 5), ("孟", 5), ("常", 5), ("武", 5), ("乔", 4),
    ("贺", 4), ("雷", 4), ("顾", 3), ("段", 4), ("蔡", 3), ("汪", 3),
]
# fmt: on
# fmt: off
HUI_SURNAMES = [
    ("马", 120), ("杨", 20), ("李", 18), ("王", 18), ("海", 10), ("丁", 10), ("纳", 8), ("白", 8), ("金", 7),
    ("虎", 6), ("穆", 6), ("哈", 5), ("田", 6), ("苏", 6), ("冶", 4), ("拜", 3), ("锁", 3), ("撒", 2), ("沙", 4),
    ("余", 3), ("何", 3), ("张", 6), ("刘", 4), ("高", 3),
]
# fmt: on
BOY_FIRST = list("子浩宇俊博明皓家睿嘉梓志文天晨泽思一振永立建佳铭奕瑞昊伟")
BOY_SECOND = list("轩然豪熙文宇涛鹏杰航阳辉晨博睿锐诚凯瑞洋林鑫磊斌彬超龙强源哲轩宁")
GIRL_FIRST = list("欣梓诗雨子可思佳语若梦雅婉紫晓静怡慧嘉心美文艺一悦雪馨")
GIRL_SECOND = list("怡涵萱琪彤妍桐曦瑶琳璇馨悦婷雪颖菲月蕾晴然茹倩丹娜薇洁妮")
BOY_SINGLE = list("浩宇杰涛鹏航阳辉博睿锐凯瑞鑫磊斌超龙强晨哲")
GIRL_SINGLE = list("悦婷雪颖菲蕾晴茹倩丹娜薇洁妮琪瑶琳萱")

# fmt: off
ADULT_MALE = [
    "建国", "志强", "建华", "文军", "国强", "小军", "伟", "勇", "军", "海军", "永红", "建军", "学军", "志刚", "晓东", "海涛", "明",
    "亮", "斌", "鹏", "磊", "涛", "宏伟", "学文", "振华", "德明", "国平", "继红", "成龙", "东升", "俊", "海龙", "万福", "志远",
    "立新", "金龙", "正", "永平",
]
# fmt: on
# fmt: off
ADULT_FEMALE = [
    "秀英", "丽娟", "海燕", "红梅", "玉兰", "晓燕", "春花", "敏", "静", "丽", "娟", "芳", "霞", "艳", "玲", "丽萍", "晓霞", "桂芳",
    "雪梅", "小燕", "慧", "琴", "燕", "莉", "红霞", "婷", "秀兰", "金花", "玉梅", "彩霞", "丽华", "淑珍", "萍", "凤英", "雅琴",
    "晓丽",
]
# fmt: on
ELDER_MALE = ["德明", "成林", "有福", "占福", "明德", "海福", "学义", "万山", "进财", "玉山", "长林", "占魁"]
ELDER_FEMALE = ["秀兰", "桂英", "玉珍", "凤兰", "桂花", "秀珍", "玉兰", "兰英", "淑英", "翠花"]

# GB 3304 codes: 03 回族 by the school's share below, otherwise 01 汉族 and a few others
# (02 蒙古族, 11 满族, 26 东乡族, 15 土家族, 04 藏族), weighted.
NON_HUI_ETHNICITIES = [("01", 970), ("02", 10), ("11", 10), ("26", 4), ("15", 3), ("04", 3)]
HUI_SHARE = {"town": 0.22, "rural": 0.30, "migrant": 0.75, "hui": 0.80, "voc": 0.25}

SUBJECTS = ["道德与法治", "语文", "数学", "英语", "体育与健康", "物理", "历史", "美术", "音乐", "信息技术"]
VOC_SUBJECTS = ["思想政治", "汽车运用与维修", "城市轨道交通运营管理", "语文", "数学", "电气设备运行与控制"]

# fmt: off
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188", "189", "191",
    "195", "198", "199",
]
# fmt: on

# Partner units (部门联动) and the legal vice-principals' units
POLICE = "贺兰县公安局"
PROCURATORATE = "贺兰县人民检察院"
COURT = "贺兰县人民法院"


# --- the demo logins (demo_logins, demo_totp) -------------------------------------------------
@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    sees: str


DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin(
        Role.BUREAU_ADMIN,
        "demo_admin",
        "组织架构、学校、班级、账号与岗位、系统设置；不看案件、排查、关爱内容（职责分离）",
    ),
    DemoLogin(
        Role.BUREAU_SAFETY,
        "demo_safety",
        "全县：统计看板、上报教体局的事件全文、各校去标识统计、专项治理行动、经验材料汇编、联合检查、通报约谈、培训覆盖",
    ),
    DemoLogin(
        Role.SUPERVISOR,
        "demo_supervisor",
        "挂牌督导的学校（贺兰一中等6所）：督导检查与督导意见书、整改复核、台账与进度",
    ),
    DemoLogin(
        Role.AUDITOR,
        "demo_auditor",
        "全部审计日志（浏览、筛选、导出、校验）、跨范围访问审批记录；其他一概不看",
    ),
    DemoLogin(
        Role.PRINCIPAL,
        "hl1z_principal",
        "贺兰县第一中学的全部数据（心理辅导记录除外）；审批认定与报告、年度考评",
    ),
    DemoLogin(
        Role.SAFETY_LEADER,
        "hl1z_safety",
        "贺兰县第一中学的全部数据，含心理辅导记录；分诊、案件、报告、隐患点、监督岗、本周",
    ),
    DemoLogin(
        Role.MIDDLE_MANAGER,
        "hl1z_deyu",
        "全校案件、举报、排查、关爱（不含心理辅导记录）；兼初二2班班主任（一人多岗）",
    ),
    DemoLogin(
        Role.CLASS_TEACHER,
        "hl1z_ct_7_1",
        "仅初一1班：学生、排查、谈心谈话与家访记录、风险等级；本人的监督岗值岗",
    ),
    DemoLogin(Role.SUBJECT_TEACHER, "hl1z_teacher", "任教的初一1班、初一2班、初二1班学生基本信息；反映情况"),
    DemoLogin(Role.COUNSELLOR, "hl1z_counsellor", "全校心理辅导记录、风险台账、有心理辅导任务的案件"),
    DemoLogin(Role.SECURITY_STAFF, "hl1z_security", "隐患点、视频监控、值守排班与值守日志；反映苗头"),
    DemoLogin(
        Role.LEGAL_VP,
        "demo_legalvp",
        "兼任法治副校长的4所学校中移交给本人的案件；记录警示教育、训诫；登记本人进校法治教育；联动转介",
    ),
    DemoLogin(
        Role.PARTNER_LIAISON, "demo_police", "贺兰县公安局：移交公安的案件，记录处理结果；联合检查、联动转介"
    ),
]
# Above the county: the province's education department reads its overview (counts only). Not
# a Membership role, so it is listed apart from DEMO_LOGINS (one per Role).
REGION_LOGIN = DemoLogin(
    "region",
    "demo_region",
    "宁夏回族自治区教育厅：全区各市、县区的欺凌事件计数（按月、行为类型、认定结果、首报与迟报），只有计数",
)
REGION_LABEL = "上级教育部门（省）"
# (code, name, level, department) — the demo county belongs to the city, the city to the province
PROVINCE = ("640000", "宁夏回族自治区", "province", "宁夏回族自治区教育厅")
CITY = ("640100", "银川市", "city", "银川市教育局")
DEMO_USERNAMES = frozenset(d.username for d in DEMO_LOGINS) | {REGION_LOGIN.username}


def demo_totp_key(username: str) -> str:
    """The fixed TOTP key (hex, 20 bytes) pre-enrolled for a demo account. Public by design:
    it is a demo; real accounts enrol their own random key."""
    return hashlib.sha1(f"anxin-demo-totp:{username}".encode(), usedforsecurity=False).hexdigest()
