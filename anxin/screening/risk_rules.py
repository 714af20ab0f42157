"""The risk table (R-SCR-4; GUIDE principle 1: the rules read as data).

Each row names a condition on a student's facts, what it adds — points, or a minimum level,
or both — the reason shown to staff (in Chinese) and where the rule comes from. The level is
the higher of (a) the level the points reach (``THRESHOLDS``) and (b) the highest minimum
level of any row that holds. Every row that holds is listed as a reason.

The engine (``anxin.screening.risk``) gathers the facts in bulk and evaluates this table; it
holds no rule of its own. A county reviews this file, not the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

RED, ORANGE, YELLOW, GREEN = "red", "orange", "yellow", "green"
LEVELS = (RED, ORANGE, YELLOW, GREEN)
LEVEL_LABELS = {RED: "红", ORANGE: "橙", YELLOW: "黄", GREEN: "绿"}
LEVEL_RANK = {GREEN: 0, YELLOW: 1, ORANGE: 2, RED: 3}

# Points reach a level: at least 8 → 红, 5 → 橙, 2 → 黄, otherwise 绿.
THRESHOLDS: tuple[tuple[str, int], ...] = ((RED, 8), (ORANGE, 5), (YELLOW, 2))

# Survey frequency codes (peer-relationship questionnaire), ordered.
FREQ_NEVER, FREQ_ONCE, FREQ_MONTHLY, FREQ_WEEKLY = 0, 1, 2, 3

# A class survey says something about who has no friends only when enough classmates answered.
SURVEY_MIN_ANSWERS = 5

SEED = "贺教发〔2024〕7号"


@dataclass
class Facts:
    """What the engine knows about one student when it evaluates the table."""

    categories: set[str] = field(default_factory=set)  # codes of active vulnerability categories
    other_categories: int = 0  # active categories configured by the county beyond the named ones
    screen_psych: str = ""  # latest screening record: good / fair / concern / abnormal
    screen_mood: str = ""  # stable / fluctuating / low / anxious
    screen_peers: str = ""  # harmonious / ordinary / tense / isolated
    screen_signs: bool = False  # 苗头迹象 seen in the latest screening
    survey_victim_freq: int = FREQ_NEVER  # highest self-reported frequency over the five types
    survey_answers_in_class: int = 0  # answers to the latest survey of the student's class
    friend_nominations: int = 0  # "课间你常和谁在一起": classmates naming this student
    isolated_nominations: int = 0  # "谁经常被孤立": classmates naming this student
    on_tendency_register: bool = False  # 欺凌倾向台账, active entry
    signal_days: dict[str, list[int]] = field(default_factory=dict)  # kind → days since each signal

    def within(self, kind: str, days: int) -> int:
        """How many signals of ``kind`` arrived in the last ``days`` days."""
        return sum(1 for d in self.signal_days.get(kind, ()) if d <= days)

    def named_within(self, days: int) -> int:
        return self.within("named_report", days) + self.within("named_concern", days)


@dataclass(frozen=True)
class Rule:
    code: str
    when: Callable[[Facts], bool]
    reason: str
    source: str
    points: int = 0
    level: str | None = None  # the minimum level this row sets when it holds


RULES: tuple[Rule, ...] = (
    # --- 弱势学生 (R-SCR-2; seed 三 第一阶段 “摸清弱势学生（留守儿童、性格内向学生、家境困难等）”)
    Rule("left_behind", lambda f: "left_behind" in f.categories, "留守儿童",
         f"{SEED} 三、第一阶段", points=1),
    Rule("introvert", lambda f: "introvert" in f.categories, "性格内向",
         f"{SEED} 三、第一阶段", points=1),
    Rule("poverty", lambda f: "poverty" in f.categories, "家境困难",
         f"{SEED} 三、第一阶段", points=1),
    Rule("single_parent", lambda f: "single_parent" in f.categories, "单亲家庭",
         "SPEC R-SCR-2 可配置类别", points=1),
    Rule("disability", lambda f: "disability" in f.categories, "残疾学生",
         "SPEC R-SCR-2 可配置类别", points=1),
    Rule("migrant", lambda f: "migrant" in f.categories, "流动儿童（随迁子女）",
         "SPEC R-SCR-2 可配置类别", points=1),
    Rule("orphan", lambda f: "orphan" in f.categories, "孤儿",
         "SPEC R-SCR-2 可配置类别", points=2),
    Rule("past_victim", lambda f: "past_victim" in f.categories, "曾受欺凌",
         f"SPEC R-SCR-2；{SEED} 三、第二阶段 “防范遭受欺凌”", points=2),
    Rule("other_category", lambda f: f.other_categories > 0, "县里配置的其他弱势类别",
         "SPEC R-SCR-2 可配置类别", points=1),
    Rule("many_vulnerabilities", lambda f: len(f.categories) + f.other_categories >= 3,
         "同时属于三类及以上弱势群体", f"{SEED} 三、第二阶段 “加强对弱势群体帮扶”", points=1),
    # --- 排查 (R-SCR-1; seed 二(一) “了解掌握学生心理状况、思想情绪和同学关系状况”)
    Rule("screen_psych_abnormal", lambda f: f.screen_psych == "abnormal", "最近一次排查：心理状况异常",
         f"{SEED} 二(一)", points=3, level=ORANGE),
    Rule("screen_psych_concern", lambda f: f.screen_psych == "concern", "最近一次排查：心理状况需关注",
         f"{SEED} 二(一)", points=2),
    Rule("screen_mood", lambda f: f.screen_mood in ("low", "anxious"), "最近一次排查：情绪低落或焦虑易怒",
         f"{SEED} 二(一)", points=1),
    Rule("screen_peers_isolated", lambda f: f.screen_peers == "isolated", "最近一次排查：同学关系中被孤立",
         f"{SEED} 二(一)", points=3),
    Rule("screen_peers_tense", lambda f: f.screen_peers == "tense", "最近一次排查：同学关系紧张",
         f"{SEED} 二(一)", points=1),
    Rule("screen_signs", lambda f: f.screen_signs, "最近一次排查：发现欺凌苗头迹象",
         f"{SEED} 二(一) “及时查找发生欺凌事件的苗头迹象”", points=3, level=YELLOW),
    # --- 同学关系状况问卷
    Rule("survey_victim_weekly", lambda f: f.survey_victim_freq >= FREQ_WEEKLY,
         "同学关系问卷：自述每周都遭受欺凌行为", f"{SEED} 二(一) 同学关系状况", points=3, level=ORANGE),
    Rule("survey_victim_some", lambda f: FREQ_ONCE <= f.survey_victim_freq < FREQ_WEEKLY,
         "同学关系问卷：自述遭受过欺凌行为", f"{SEED} 二(一) 同学关系状况", points=2),
    Rule("survey_named_isolated", lambda f: f.isolated_nominations >= 2,
         "同学关系问卷：两名及以上同学认为其经常被孤立", f"{SEED} 二(一) 同学关系状况", points=2),
    Rule("survey_no_friends",
         lambda f: f.survey_answers_in_class >= SURVEY_MIN_ANSWERS and f.friend_nominations == 0,
         "同学关系问卷：没有同学提名其为课间伙伴", f"{SEED} 二(一) 同学关系状况", points=1),
    # --- 欺凌倾向 (R-SCR-3; seed 三 第二阶段 “重点盯防欺凌者或有欺凌他人倾向，严防再次欺凌”)
    Rule("tendency_register", lambda f: f.on_tendency_register, "列入欺凌倾向台账（重点盯防）",
         f"{SEED} 三、第二阶段", level=ORANGE),
    # --- 欺凌事件 (cases; UPL 39: counselling for the bullied, supervision for the bully)
    Rule("case_victim_recent", lambda f: f.within("case_victim", 90) > 0,
         "近90天在欺凌事件中为受欺凌学生", "未成年人保护法 第39条", level=RED),
    Rule("confirmed_victim", lambda f: f.within("confirmed_victim", 365) > 0,
         "近一年被认定遭受欺凌", "未成年人保护法 第39条", points=2, level=ORANGE),
    Rule("case_bully_recent", lambda f: f.within("case_bully", 90) > 0,
         "近90天在欺凌事件中为涉嫌欺凌学生", f"{SEED} 三、第二阶段 “严防再次欺凌”", level=ORANGE),
    Rule("case_party_recent", lambda f: f.within("case_party", 90) > 0,
         "近90天涉及欺凌事件（证人或旁观者）", f"{SEED} 二(一)", points=1),
    # --- 举报与关注 (intake)
    Rule("named_recent", lambda f: f.named_within(30) > 0, "近30天在举报或关注线索中被提及",
         f"{SEED} 二(一) “早发现、早预防、早控制”", points=2),
    Rule("named_repeatedly", lambda f: f.named_within(90) >= 2, "近90天在举报或关注线索中被多次提及",
         f"{SEED} 二(一) “早发现、早预防、早控制”", points=1, level=ORANGE),
    # --- 监控值守与关爱 (R-SCR-6; R-CARE-2 “发现异常及时干预”)
    Rule("monitoring_sign", lambda f: f.within("monitoring_sign", 30) > 0, "近30天视频监控值守发现苗头",
         f"{SEED} 二(一) “重点时段指派专人进行监控”", points=2),
    Rule("care_anomaly", lambda f: f.within("care_anomaly", 30) > 0, "近30天谈心谈话或家访发现异常",
         f"{SEED} 三、第二阶段 “发现异常及时干预”", points=3),
)  # fmt: skip

# How far back the engine looks for signals (the longest window above).
SIGNAL_HORIZON_DAYS = 365


def level_for_points(points: int) -> str:
    for level, minimum in THRESHOLDS:
        if points >= minimum:
            return level
    return GREEN


def evaluate(facts: Facts) -> tuple[str, int, list[dict]]:
    """(level, points, reasons) for one student. Reasons keep the table's order."""
    points = 0
    floor = GREEN
    reasons: list[dict] = []
    for rule in RULES:
        if not rule.when(facts):
            continue
        points += rule.points
        if rule.level and LEVEL_RANK[rule.level] > LEVEL_RANK[floor]:
            floor = rule.level
        reasons.append(
            {"code": rule.code, "text": rule.reason, "points": rule.points, "level": rule.level or ""}
        )
    by_points = level_for_points(points)
    level = floor if LEVEL_RANK[floor] > LEVEL_RANK[by_points] else by_points
    return level, points, reasons
