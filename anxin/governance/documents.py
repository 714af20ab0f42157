"""The school's documents as .docx (python-docx), in the official-document style the incident
report already uses (anxin.cases.documents: GB/T 9704 fonts, page numbers): the leading group
(R-ORG-8) and a first draft of the 工作方案 written from the school's own facts — its leading
group, the phases and tasks of the bureau's current campaign, its rules documents, its hazard
points and its screening rounds — for the school to edit and upload back as a version."""

from __future__ import annotations

import io

from django.apps import apps
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from anxin.cases.documents import CHINESE_NUMBERS, HEADING_FONT, TITLE_FONT, _para, _setup
from anxin.core import clock
from anxin.governance.documents_state import rules_states, version_date
from anxin.governance.leading import group_of
from anxin.governance.models import RULE_KINDS, DocKind


def _title(doc, text: str) -> None:
    _para(doc, text, font=TITLE_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc)


def _heading(doc, n: int, text: str) -> None:
    _para(doc, f"{CHINESE_NUMBERS[n]}、{text}", font=HEADING_FONT)


def _group_paragraphs(doc, school) -> None:
    g = group_of(school)
    for label, seats in (("组  长", g.chair), ("副组长", g.deputies), ("成  员", g.members)):
        names = "、".join(f"{s.name}（{s.post}）" for s in seats) or "（待明确）"
        _para(doc, f"{label}：{names}")
    office = "、".join(s.name for s in g.office) or "（待明确）"
    _para(doc, f"领导小组下设办公室，办公室设在德育（政教）处，{office}任办公室主任，负责日常工作。")


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def leading_group_docx(school) -> bytes:
    doc = Document()
    _setup(doc)
    _title(doc, f"{school.name}防治学生欺凌工作领导小组")
    _para(doc, "为加强对学生欺凌防治工作的组织领导，经研究，成立学校防治学生欺凌工作领导小组，成员如下：")
    _group_paragraphs(doc, school)
    _para(doc)
    _para(doc, f"{school.name}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent_chars=2)
    _para(
        doc,
        f"{clock.today():%Y年%-m月%-d日}",
        indent=False,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        right_indent_chars=2,
    )
    return _save(doc)


def _campaign_steps(doc, school) -> bool:
    """The bureau's current campaign as the plan's 工作步骤: each phase with its dates and the
    tasks that apply to this school (the campaigns app is read through the model registry)."""
    try:
        Campaign = apps.get_model("campaigns", "Campaign")
        Task = apps.get_model("campaigns", "Task")
    except LookupError:
        return False
    today = clock.today()
    campaign = (
        Campaign.objects.filter(county_id=school.county_id, phases__deadline__gte=today)
        .distinct()
        .order_by("created_at")
        .first()
    ) or Campaign.objects.filter(county_id=school.county_id).order_by("-created_at").first()
    if campaign is None:
        return False
    tasks = list(
        Task.objects.filter(campaign=campaign)
        .filter(school_type__in=["", school.type])
        .select_related("phase")
        .order_by("phase__order", "order", "id")
    )
    _para(doc, f"按照县教育体育局《{campaign.title}》部署，分阶段推进：")
    for i, phase in enumerate(campaign.phases.order_by("order", "id")):
        _para(
            doc,
            f"（{CHINESE_NUMBERS[i]}）{phase.name}（{phase.starts_on:%Y年%-m月%-d日}至"
            f"{phase.deadline:%Y年%-m月%-d日}）",
        )
        for n, t in enumerate((t for t in tasks if t.phase_id == phase.pk), start=1):
            _para(doc, f"{n}. {t.title}。")
    return True


def workplan_docx(school) -> bytes:
    """A first draft of the school's 工作方案 from its facts (the school edits it)."""
    from anxin.screening.models import HazardPoint, ScreeningRound

    doc = Document()
    _setup(doc)
    _title(doc, f"{school.name}防范学生欺凌专项治理工作方案")
    _para(
        doc,
        "为进一步防范和遏制学生欺凌事件发生，切实保护学生身心健康，根据县教育体育局工作部署，"
        "结合我校实际，制定本方案。",
    )
    _heading(doc, 0, "组织领导")
    _group_paragraphs(doc, school)
    _heading(doc, 1, "工作步骤")
    if not _campaign_steps(doc, school):
        _para(doc, "按照县教育体育局专项治理行动的阶段安排，分阶段推进，按期完成各项任务。")
    _heading(doc, 2, "制度建设")
    state = rules_states([school])[school.pk]
    for kind in RULE_KINDS:
        v = state.latest.get(kind)
        label = DocKind(kind).label
        if v is None:
            _para(doc, f"《{label}》：尚未制定，须于本阶段内制定并经审定后施行。")
        else:
            _para(doc, f"《{v.title}》第{v.number}版，{version_date(v):%Y年%-m月%-d日}起施行。")
    _heading(doc, 3, "排查摸底")
    rounds = list(ScreeningRound.objects.filter(school=school).order_by("-opened_on")[:3])
    if rounds:
        for r in rounds:
            _para(
                doc,
                f"{r.title}：{r.opened_on:%Y年%-m月%-d日}开始，{r.deadline:%Y年%-m月%-d日}前完成全员排查。",
            )
    else:
        _para(doc, "全面排查每名学生的心理状况、思想情绪和同学关系，排查时间另行安排。")
    _heading(doc, 4, "隐患点与防范措施")
    points = list(
        HazardPoint.objects.filter(school=school)
        .exclude(status=HazardPoint.Status.ELIMINATED)
        .order_by("name")
    )
    if points:
        for p in points:
            _para(
                doc,
                f"{p.name}（{p.get_kind_display()}，{p.get_status_display()}）：落实人防、物防、技防措施。",
            )
    else:
        _para(doc, "排查校内及周边易发生欺凌的地点，逐一制定防范措施。")
    _heading(doc, 5, "工作要求")
    for text in (
        "加强组织，周密部署，细化工作方案，压实工作责任。",
        "发现苗头及时报告、及早处置，严重事件立即报告县教育体育局。",
        "及时总结，形成可推广、可复制的经验，不断修订完善相关制度。",
    ):
        _para(doc, text)
    return _save(doc)
