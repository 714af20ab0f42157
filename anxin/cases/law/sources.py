"""The legal sources the tables cite (LAW.md, "Sources"). Rows cite ``"<short> Art N"``."""

SOURCES: dict[str, str] = {
    "UPL": "《中华人民共和国未成年人保护法》(2020修订)",
    "PJDL": "《中华人民共和国预防未成年人犯罪法》(2020)",
    "SPR": "《未成年人学校保护规定》(教育部令第50号, 2021)",
    "P2017": "《加强中小学生欺凌综合治理方案》(教督〔2017〕10号)",
    "DR": "《中小学教育惩戒规则（试行）》(教育部令第49号, 2020)",
    "CEL": "《中华人民共和国义务教育法》",
    "PSAL": "《中华人民共和国治安管理处罚法》(2025修订)",
    "PIPL": "《中华人民共和国个人信息保护法》",
    "CSL": "《中华人民共和国网络安全法》",
    "MLPS": "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》",
    "SEED": "《贺兰县防范中小学生欺凌专项治理行动工作方案》(贺教发〔2024〕7号)",
}


def cite(ref: str) -> str:
    """``"DR Art 10"`` → ``"《中小学教育惩戒规则（试行）》… 第10条"`` for display."""
    short, _, rest = ref.partition(" ")
    title = SOURCES.get(short, short)
    if rest.startswith("Art "):
        return f"{title}第{rest[4:]}条"
    return f"{title} {rest}".strip()
