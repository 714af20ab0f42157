"""Measures banned by DR Art 12 (LAW rule 15). A banned measure cannot be chosen (it is not in
the catalogue) and free text naming one is refused by validation."""

from __future__ import annotations

# code, label, words that name it in free text, source
BANNED: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("corporal", "体罚", ("体罚", "打手心", "打板子", "扇耳光", "殴打学生"), "DR Art 12(1)"),
    (
        "disguised_corporal",
        "超过正常限度的罚站、反复抄写等变相体罚",
        ("罚跪", "长时间罚站", "反复抄写", "罚抄", "罚跑"),
        "DR Art 12(2)",
    ),
    ("isolation", "刻意孤立", ("刻意孤立", "让全班孤立", "不准同学与其说话"), "DR Art 12(3)"),
    ("insult", "辱骂或者以歧视性、侮辱性言行侵犯学生人格尊严", ("辱骂", "侮辱", "当众羞辱"), "DR Art 12(4)"),
    (
        "collective",
        "因个人或少数人违规违纪行为而惩罚全体学生",
        ("集体惩罚", "全班受罚", "连坐"),
        "DR Art 12(5)",
    ),
    ("grades", "因学业成绩而惩罚学生", ("因成绩惩罚", "因学业成绩"), "DR Art 12(6)"),
    ("selective", "因个人情绪、好恶实施或者选择性实施教育惩戒", ("选择性惩戒",), "DR Art 12(7)"),
    (
        "delegated",
        "指派学生对其他学生实施教育惩戒",
        ("指派学生惩戒", "让学生惩罚", "让同学惩罚"),
        "DR Art 12(8)",
    ),
)


def find_banned(*texts: str) -> list[tuple[str, str, str]]:
    """Banned measures named in ``texts``: ``[(code, label, source)]``, empty when none."""
    joined = " ".join(t for t in texts if t)
    found = []
    for code, label, words, source in BANNED:
        if any(w in joined for w in words):
            found.append((code, label, source))
    return found
