"""Demo: the county runs the seed's 专项治理行动, now in phase 2 (集中整治). Schools stand at
different stages (some reported everything of phase 1, some were returned, some are late);
experience articles in every review state; two accepted ones picked for the booklet.
Entered through the services, so every rule and audit event is real."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from anxin.core import clock
from anxin.core.roles import Role

ARTICLES = [
    (
        "织密排查网络，守护阳光校园",
        "<h2>一、主要做法</h2><p>学校以班为单位开展全面排查，班主任逐一谈心，建立弱势学生和重点盯防学生台账，做到底数清、情况明。</p>"
        "<h2>二、工作成效</h2><p>排查中发现苗头迹象三起，均在萌芽状态化解；隐患点全部落实人防、技防措施。</p>",
    ),
    (
        "家校携手，筑牢防欺凌“防火墙”",
        "<p>学校利用家长会、家访和家长学校，讲解《未成年人保护法》，引导家长关注孩子的情绪变化。</p>"
        "<ul><li>每学期家访全覆盖</li><li>设立家校联系日</li><li>开通心理咨询热线</li></ul>",
    ),
    (
        "学生安全员：同伴守护的第一道防线",
        "<p>每班设两名学生安全员，经过培训后在课间、午休时段留意同学间的冲突，发现情况及时报告班主任。</p>",
    ),
    ("法治副校长进校园", "<p>法治副校长每学期到校开展专题讲座两次，以案说法，增强学生的法治意识。</p>"),
    ("班会课上的“角色互换”", "<p>通过情景剧让学生体验被欺凌者的感受，学会换位思考。</p>"),
]


def _holder(school_id: int, role: str):
    from anxin.accounts.models import Membership

    m = (
        Membership.objects.active()
        .filter(school_id=school_id, role=role, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def load_campaigns(county, rng: random.Random) -> dict:
    from anxin.accounts.models import Membership
    from anxin.campaigns import booklet, services
    from anxin.campaigns.models import ArticleState, Task, TaskKind
    from anxin.org.models import School

    office = (
        Membership.objects.active()
        .filter(county=county, role=Role.BUREAU_SAFETY)
        .select_related("user")
        .first()
    )
    if office is None:
        return {"campaigns": 0}
    office = office.user
    # started 30 days ago: phase 1 (21 days) is over, phase 2 running
    with transaction.atomic():
        campaign = services.create_from_template(
            by=office,
            county=county,
            template_key="seed2024",
            start=clock.today() - dt.timedelta(days=30),
            title="贺兰县防范中小学生欺凌专项治理行动",
        )
    evidence = list(
        Task.objects.filter(campaign=campaign, kind=TaskKind.EVIDENCE, phase__order__lte=2).select_related(
            "phase"
        )
    )
    schools = list(School.objects.filter(county=county, active=True).order_by("code", "pk"))
    counts = {"campaigns": 1, "reports": 0, "returned": 0, "articles": 0}
    articles = []
    for i, school in enumerate(schools):
        leader = _holder(school.pk, Role.SAFETY_LEADER) or _holder(school.pk, Role.PRINCIPAL)
        if leader is None:
            continue
        stage = i % 4  # 0: all reported, 1: phase 1 only, 2: one returned, 3: late on everything
        with transaction.atomic():
            for t in evidence:
                if stage == 3 or (stage == 1 and t.phase.order > 1):
                    continue
                p = services.submit_progress(
                    by=leader,
                    task=t,
                    school=school,
                    note=f"{school.short_name or school.name}已按要求完成：{t.title}。",
                )
                counts["reports"] += 1
                if stage == 2 and t == evidence[0]:
                    services.return_progress(by=office, progress=p, comment="请补充会议纪要或照片。")
                    counts["returned"] += 1
            if i < len(ARTICLES) * 2 and stage != 3:
                title, body = ARTICLES[i % len(ARTICLES)]
                principal = _holder(school.pk, Role.PRINCIPAL) or leader
                a = services.save_article(
                    by=principal, campaign=campaign, school=school, title=title, body=body
                )
                articles.append((a, principal))
    # every review state: draft, submitted, returned, accepted (and picked for the booklet)
    for n, (a, who) in enumerate(articles):
        state = [ArticleState.ACCEPTED, ArticleState.SUBMITTED, ArticleState.RETURNED, ArticleState.DRAFT][
            n % 4
        ]
        with transaction.atomic():
            if state != ArticleState.DRAFT:
                a = services.submit_article(by=who, article=a)
            if state == ArticleState.ACCEPTED:
                services.accept_article(by=office, article=a, comment="经验可推广，采用。")
            elif state == ArticleState.RETURNED:
                services.return_article(by=office, article=a, comment="请补充具体数据和成效。")
        counts["articles"] += 1
    counts["booklet_bytes"] = len(booklet.docx(campaign))
    return counts
