"""What bullying is, and what a determination records (UPL 130(3); SPR 21; LAW rules 1–2).

Codes are stored in the database; labels are what people read. Change a label freely; never
change a code.
"""

# LAW rule 1 — the five behaviour types of SPR Art 21, plus 其他.
BEHAVIOUR_TYPES: tuple[tuple[str, str, str, str], ...] = (
    # code, label, examples, source
    ("physical", "肢体欺凌", "殴打、脚踢、掌掴、推撞、恐吓威胁", "SPR Art 21"),
    ("verbal", "言语欺凌", "辱骂、讥讽、起侮辱性绰号", "SPR Art 21"),
    ("property", "财物欺凌", "抢夺、强拿硬要、毁坏财物", "SPR Art 21"),
    ("exclusion", "排斥孤立", "恶意排斥、孤立他人", "SPR Art 21"),
    ("cyber", "网络欺凌", "诽谤、散布谣言、恶意传播隐私", "SPR Art 21; UPL Art 77"),
    ("other", "其他", "其他欺凌行为（须在经过中写明）", "UPL Art 130"),
)

# The results of a determination (R-CASE-4; seed 二(三)).
RESULTS: tuple[tuple[str, str, bool, str], ...] = (
    # code, label, is bullying, source
    ("joke", "玩笑打闹", False, "SEED 二(三)"),
    ("dispute", "一般纠纷", False, "SEED 二(三)"),
    ("minor", "欺凌：情节轻微", True, "SEED 二(三)"),
    ("serious", "欺凌：情节较重", True, "SEED 二(三)"),
    ("severe", "欺凌：情节恶劣、造成明显伤害", True, "SEED 二(三); P2017"),
    ("criminal", "欺凌：涉嫌违法犯罪", True, "SEED 二(三); PSAL Art 60"),
)
NOT_BULLYING_RESULTS = frozenset(code for code, _l, bullying, _s in RESULTS if not bullying)
BULLYING_RESULTS = frozenset(code for code, _l, bullying, _s in RESULTS if bullying)
# LAW rule 7 — these must be reported to the police and the bureau at once.
SEVERE_RESULTS = frozenset({"severe", "criminal"})
# LAW rule 8 — a later determination ranked lower is a downgrade and needs a reason.
RESULT_RANK: dict[str, int] = {"joke": 0, "dispute": 0, "minor": 1, "serious": 2, "severe": 3, "criminal": 4}

# LAW rule 2 — the elements a finding of bullying records (UPL Art 130(3); SPR Art 21).
HARM_TYPES: tuple[tuple[str, str], ...] = (
    ("bodily", "身体伤害"),
    ("property", "财产损失"),
    ("mental", "精神损害"),
)
ADVANTAGE_BASES: tuple[tuple[str, str], ...] = (
    ("age", "年龄优势"),
    ("size", "身体优势"),
    ("numbers", "人数优势"),
    ("other", "其他优势（须写明）"),
)
DETERMINATION_ELEMENTS: tuple[tuple[str, str, str], ...] = (
    ("between_students", "发生在学生之间", "UPL Art 130"),
    ("deliberate", "一方蓄意或者恶意", "UPL Art 130"),
    ("means", "通过肢体、语言及网络等手段", "UPL Art 130; SPR Art 21"),
    ("harm", "造成人身伤害、财产损失或者精神损害", "UPL Art 130"),
    ("advantage", "一方凭借年龄、身体、人数等优势", "SPR Art 21"),
)


def label(table, code: str) -> str:
    for row in table:
        if row[0] == code:
            return row[1]
    return code
