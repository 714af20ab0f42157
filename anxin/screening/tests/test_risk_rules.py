"""The risk table, row by row (R-SCR-4; GUIDE principle 1). Each row has facts that make it
hold and the default facts under which it does not; the level follows the points and the
rows' minimum levels."""

import pytest

from anxin.screening import risk_rules
from anxin.screening.risk_rules import RULES, Facts, evaluate, level_for_points


def _signals(kind, days):
    return {"signal_days": {kind: [days]}}


# code -> (facts that make the row hold, facts just outside it)
HOLDS = {
    "left_behind": ({"categories": {"left_behind"}}, {"categories": {"introvert"}}),
    "introvert": ({"categories": {"introvert"}}, {}),
    "poverty": ({"categories": {"poverty"}}, {}),
    "single_parent": ({"categories": {"single_parent"}}, {}),
    "disability": ({"categories": {"disability"}}, {}),
    "migrant": ({"categories": {"migrant"}}, {}),
    "orphan": ({"categories": {"orphan"}}, {}),
    "past_victim": ({"categories": {"past_victim"}}, {}),
    "other_category": ({"other_categories": 1}, {"other_categories": 0}),
    "many_vulnerabilities": (
        {"categories": {"left_behind", "poverty"}, "other_categories": 1},
        {"categories": {"left_behind", "poverty"}},
    ),
    "screen_psych_abnormal": ({"screen_psych": "abnormal"}, {"screen_psych": "concern"}),
    "screen_psych_concern": ({"screen_psych": "concern"}, {"screen_psych": "fair"}),
    "screen_mood": ({"screen_mood": "anxious"}, {"screen_mood": "fluctuating"}),
    "screen_peers_isolated": ({"screen_peers": "isolated"}, {"screen_peers": "tense"}),
    "screen_peers_tense": ({"screen_peers": "tense"}, {"screen_peers": "ordinary"}),
    "screen_signs": ({"screen_signs": True}, {"screen_signs": False}),
    "survey_victim_weekly": ({"survey_victim_freq": 3}, {"survey_victim_freq": 2}),
    "survey_victim_some": ({"survey_victim_freq": 1}, {"survey_victim_freq": 0}),
    "survey_named_isolated": ({"isolated_nominations": 2}, {"isolated_nominations": 1}),
    "survey_no_friends": (
        {"survey_answers_in_class": 5, "friend_nominations": 0},
        {"survey_answers_in_class": 4, "friend_nominations": 0},
    ),
    "tendency_register": ({"on_tendency_register": True}, {"on_tendency_register": False}),
    "case_victim_recent": (_signals("case_victim", 90), _signals("case_victim", 91)),
    "confirmed_victim": (_signals("confirmed_victim", 365), _signals("confirmed_victim", 366)),
    "case_bully_recent": (_signals("case_bully", 10), _signals("case_bully", 120)),
    "case_party_recent": (_signals("case_party", 0), _signals("case_party", 91)),
    "named_recent": (_signals("named_report", 30), _signals("named_report", 31)),
    "named_repeatedly": (
        {"signal_days": {"named_report": [5], "named_concern": [80]}},
        {"signal_days": {"named_report": [5], "named_concern": [95]}},
    ),
    "monitoring_sign": (_signals("monitoring_sign", 3), _signals("monitoring_sign", 31)),
    "care_anomaly": (_signals("care_anomaly", 30), _signals("care_anomaly", 45)),
}


def test_every_row_of_the_table_has_a_test():
    assert {r.code for r in RULES} == set(HOLDS)
    assert len({r.code for r in RULES}) == len(RULES), "rule codes are unique"


def test_every_row_gives_a_chinese_reason_and_a_source():
    for rule in RULES:
        assert rule.reason and not rule.reason.isascii(), rule.code
        assert rule.source, rule.code
        assert rule.points or rule.level, f"{rule.code} adds nothing"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_holds_and_is_listed_as_a_reason(rule):
    yes, no = HOLDS[rule.code]
    level, points, reasons = evaluate(Facts(**yes))
    hit = next((r for r in reasons if r["code"] == rule.code), None)
    assert hit is not None
    assert hit["text"] == rule.reason and hit["points"] == rule.points
    assert points >= rule.points
    if rule.level:
        assert risk_rules.LEVEL_RANK[level] >= risk_rules.LEVEL_RANK[rule.level]
    _level, _points, reasons_no = evaluate(Facts(**no))
    assert rule.code not in {r["code"] for r in reasons_no}


def test_no_facts_is_green_with_no_reason():
    assert evaluate(Facts()) == ("green", 0, [])


@pytest.mark.parametrize(
    ("points", "level"),
    [
        (0, "green"),
        (1, "green"),
        (2, "yellow"),
        (4, "yellow"),
        (5, "orange"),
        (7, "orange"),
        (8, "red"),
        (20, "red"),
    ],
)
def test_points_reach_levels_by_the_thresholds(points, level):
    assert level_for_points(points) == level


def test_points_add_up_and_every_reason_is_listed():
    facts = Facts(
        categories={"left_behind", "poverty"}, screen_mood="low", screen_peers="isolated", screen_signs=True
    )
    level, points, reasons = evaluate(facts)
    assert points == 1 + 1 + 1 + 3 + 3
    assert level == "red"
    assert [r["code"] for r in reasons] == [
        "left_behind",
        "poverty",
        "screen_mood",
        "screen_peers_isolated",
        "screen_signs",
    ]


def test_a_minimum_level_wins_over_few_points():
    level, points, _ = evaluate(Facts(on_tendency_register=True))
    assert (level, points) == ("orange", 0)


def test_points_win_over_a_lower_minimum_level():
    # 苗头 sets at least 黄, but 3 + 3 + 2 = 8 points reach 红
    level, points, _ = evaluate(Facts(screen_signs=True, screen_peers="isolated", screen_psych="concern"))
    assert (level, points) == ("red", 8)
