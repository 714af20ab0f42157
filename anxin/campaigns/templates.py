"""Campaign templates: the seed's 防范中小学生欺凌专项治理行动 (贺教发〔2024〕7号 §三), three
phases with the seed's deadlines (2024-04-15, 2024-06-30, 2024-07-31) and what each school must
do in each. The bureau gives the start: every date moves by the same number of days, so the
seed's spacing is kept; each date stays editable afterwards.

A task names an evaluator key when the platform can tell it from data; keys of modules not
installed are skipped (and listed on the campaign page) when a campaign is created."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class TaskSpec:
    title: object  # lazy text
    evaluator: str = ""  # "" = evidenced (note and files)
    params: dict = field(default_factory=dict)
    description: object = ""
    school_type: str = ""


@dataclass(frozen=True)
class PhaseSpec:
    name: object
    starts_on: dt.date
    deadline: dt.date
    tasks: tuple[TaskSpec, ...]


@dataclass(frozen=True)
class Template:
    key: str
    title: object
    description: object
    phases: tuple[PhaseSpec, ...]

    @property
    def starts_on(self) -> dt.date:
        return self.phases[0].starts_on

    def shifted(self, start: dt.date) -> list[tuple[PhaseSpec, dt.date, dt.date]]:
        """Each phase with its dates moved so the first phase starts on ``start``."""
        delta = start - self.starts_on
        return [(p, p.starts_on + delta, p.deadline + delta) for p in self.phases]


SEED = Template(
    key="seed2024",
    title=_("防范中小学生欺凌专项治理行动"),
    description=_(
        "通过深入开展防范中小学生欺凌专项治理行动，进一步摸排工作死角，织牢联动网络，健全长效机制。"
    ),
    phases=(
        PhaseSpec(
            _("部署摸底"),
            dt.date(2024, 3, 25),
            dt.date(2024, 4, 15),
            (
                TaskSpec(_("成立防治学生欺凌工作领导小组"), "governance.leading_group_formed"),
                TaskSpec(_("制定本校专项治理工作方案"), "governance.workplan_uploaded"),
                TaskSpec(
                    _("全面排查：全校学生梳理排查"),
                    "screening.round_complete",
                    description=_("了解掌握学生心理状况、思想情绪和同学关系状况，查找苗头迹象。"),
                ),
                TaskSpec(
                    _("摸清弱势学生（留守儿童、性格内向、家境困难等）"), "screening.vulnerable_reviewed"
                ),
                TaskSpec(_("掌握欺凌者或有欺凌他人倾向学生情况"), "screening.tendency_reviewed"),
                TaskSpec(_("排查校园及周边易发生欺凌地点"), "screening.hazards_covered", {"min_points": 1}),
                TaskSpec(_("学校自查：七个方面查找问题"), "governance.selfcheck_submitted"),
                TaskSpec(
                    _("查找存在的问题，明确整改措施"),
                    description=_("上报问题清单和整改措施（文字说明，可附文件）。"),
                ),
            ),
        ),
        PhaseSpec(
            _("集中整治"),
            dt.date(2024, 4, 16),
            dt.date(2024, 6, 30),
            (
                TaskSpec(_("弱势学生谈心谈话、家访"), "care.vulnerable_contacted", {"min_share": 100}),
                TaskSpec(_("重点盯防欺凌倾向学生（定期复核）"), "screening.tendency_reviewed"),
                TaskSpec(_("完善本校欺凌防治工作制度和校规校纪"), "governance.rules_current"),
                TaskSpec(_("吸取区内外欺凌事件教训"), "governance.lessons_studied"),
                TaskSpec(
                    _("开展法治教育和防欺凌专题教育"),
                    "education.law_education_held",
                    {"min_count": 1},
                    _("邀请法治副校长、公检法司到校开展专题教育，在“教育培训活动”中登记。"),
                ),
                TaskSpec(
                    _("教职工防欺凌专题培训"),
                    "education.staff_trained",
                    {"min_share": 1.0},
                    _("班子成员、中层领导、教职工全员参加，签到记入“教育培训活动”。"),
                ),
            ),
        ),
        PhaseSpec(
            _("深化提高"),
            dt.date(2024, 7, 1),
            dt.date(2024, 7, 31),
            (
                TaskSpec(
                    _("报送可推广、可复制的经验材料"),
                    "campaigns.articles_submitted",
                    {"min_count": 1},
                    _("各学校原则上不少于1篇，报送县教体局综合办，汇编成册。"),
                ),
                TaskSpec(_("修订完善防欺凌相关制度"), "governance.rules_current"),
                TaskSpec(
                    _("设立监督岗，营造人人都是监督员的氛围"),
                    "oversight.posts_staffed",
                    {"min_posts": 3},
                    _("在“监督岗”中设岗（地点、人员、值守时段），每个班次有教职工值岗。"),
                ),
                TaskSpec(_("系统总结专项治理成果"), description=_("上报专项治理工作总结。")),
            ),
        ),
    ),
)

TEMPLATES: dict[str, Template] = {SEED.key: SEED}


def choices() -> list[tuple[str, str]]:
    return [(t.key, t.title) for t in TEMPLATES.values()]
