"""Every write of campaigns and articles: check the right, validate, save, audit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.campaigns import files as cfiles
from anxin.campaigns import templates
from anxin.campaigns.models import (
    Article,
    ArticleReview,
    ArticleState,
    Attachment,
    Campaign,
    Phase,
    Task,
    TaskKind,
    TaskProgress,
)
from anxin.core import audit, clock, evaluators, policy


def _require(by, obj, action: str) -> None:
    if not policy.allows(by, obj, action):
        raise PermissionDenied(policy.perm_name(type(obj), action))


# --- campaigns ---------------------------------------------------------------------------------


@transaction.atomic
def create_from_template(*, by, county, template_key: str, start: dt.date, title: str = "") -> Campaign:
    """A campaign from a template, its dates shifted to ``start`` (the seed's spacing kept).
    Tasks judged by an evaluator no installed module registers are left out and listed."""
    _require(by, Campaign(county_id=getattr(county, "pk", county)), "change")
    tpl = templates.TEMPLATES.get(template_key)
    if tpl is None:
        raise ValidationError({"template_key": _("请选择模板。")})
    if start is None:
        raise ValidationError({"start": _("请填写开始日期。")})
    if not dt.date(2000, 1, 1) <= start <= dt.date(2100, 1, 1):
        raise ValidationError({"start": _("开始日期不合理。")})
    campaign = Campaign.objects.create(
        county_id=getattr(county, "pk", county),
        title=(title or "").strip() or str(tpl.title),
        template_key=tpl.key,
        description=str(tpl.description),
        created_by=by,
    )
    skipped = []
    for order, (spec, starts_on, deadline) in enumerate(tpl.shifted(start), 1):
        phase = Phase.objects.create(
            county_id=campaign.county_id,
            campaign=campaign,
            order=order,
            name=str(spec.name),
            starts_on=starts_on,
            deadline=deadline,
        )
        n = 0
        for t in spec.tasks:
            if t.evaluator and evaluators.get(t.evaluator) is None:
                skipped.append({"phase": str(spec.name), "title": str(t.title), "evaluator": t.evaluator})
                continue
            n += 1
            Task.objects.create(
                county_id=campaign.county_id,
                campaign=campaign,
                phase=phase,
                order=n,
                title=str(t.title),
                description=str(t.description),
                school_type=t.school_type,
                kind=TaskKind.DATA if t.evaluator else TaskKind.EVIDENCE,
                evaluator=t.evaluator,
                params=dict(t.params),
            )
    if skipped:
        campaign.skipped = skipped
        campaign.save(update_fields=["skipped"])
    return campaign


def _check_dates(starts_on, deadline) -> None:
    if starts_on and deadline and deadline < starts_on:
        raise ValidationError({"deadline": _("完成期限不能早于开始日期。")})


@transaction.atomic
def update_phase(*, by, phase: Phase, data: Mapping) -> Phase:
    _require(by, phase, "change")
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写阶段名称。")})
    _check_dates(data.get("starts_on"), data.get("deadline"))
    phase.name, phase.starts_on, phase.deadline = name, data["starts_on"], data["deadline"]
    phase.save()
    return phase


def _task_fields(data: Mapping) -> dict:
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写任务名称。")})
    key = data.get("evaluator") or ""
    params = data.get("params") or {}
    if key:
        ev = evaluators.get(key)
        if ev is None:
            raise ValidationError({"evaluator": _("没有这种判定依据。")})
        if not isinstance(params, dict) or any(not isinstance(v, int | float) for v in params.values()):
            raise ValidationError({"params": _("判定参数须为数字。")})
        unknown = set(params) - set(ev.params)
        if unknown:
            raise ValidationError({"params": _("未知的判定参数：%(p)s") % {"p": "、".join(sorted(unknown))}})
    return {
        "title": title,
        "description": (data.get("description") or "").strip(),
        "school_type": data.get("school_type") or "",
        "kind": TaskKind.DATA if key else TaskKind.EVIDENCE,
        "evaluator": key,
        "params": params if key else {},
    }


@transaction.atomic
def add_task(*, by, phase: Phase, data: Mapping) -> Task:
    _require(by, phase, "change")
    fields = _task_fields(data)
    order = (phase.tasks.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return Task.objects.create(
        county_id=phase.county_id, campaign_id=phase.campaign_id, phase=phase, order=order, **fields
    )


@transaction.atomic
def update_task(*, by, task: Task, data: Mapping) -> Task:
    _require(by, task, "change")
    if "phase" in data and data["phase"] is not None:
        if data["phase"].campaign_id != task.campaign_id:
            raise ValidationError({"phase": _("只能选择本专项行动的阶段。")})
        task.phase = data["phase"]
    for k, v in _task_fields(data).items():
        setattr(task, k, v)
    task.save()
    return task


@transaction.atomic
def delete_task(*, by, task: Task) -> None:
    _require(by, task, "change")
    if task.progress.exists():
        raise ValidationError(_("已有学校上报了这项任务的材料，不能删除。"))
    audit.record("campaign.task_delete", task, data={"title": task.title})
    task.delete()


# --- evidenced tasks ---------------------------------------------------------------------------


def _store(by, owner: dict, uploads, images_only=False) -> list[str]:
    stored = []
    for content, mime, ext, name in cfiles.check(uploads, images_only=images_only):
        att = Attachment(content_type=mime, original_name=name, uploaded_by=by, **owner)
        cfiles.save(att, content, ext)
        stored.append(att.file.name)
    return stored


@transaction.atomic
def submit_progress(*, by, task: Task, school, note: str, files: Sequence = ()) -> TaskProgress:
    """A school reports an evidenced task done (a resubmission after a return replaces it)."""
    probe = TaskProgress(county_id=school.county_id, school_id=school.pk, task=task)
    _require(by, probe, "change")
    if task.county_id != school.county_id or task.kind != TaskKind.EVIDENCE:
        raise ValidationError(_("这项任务不需要上报材料。"))
    if not task.applies_to(school):
        raise ValidationError(_("这项任务不适用于本校。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写完成情况。")})
    progress = TaskProgress.objects.select_for_update().filter(task=task, school=school).first()
    if (
        progress is not None
        and progress.status == TaskProgress.Status.SUBMITTED
        and not files
        and progress.note == note
    ):
        raise ValidationError(_("已上报过，内容没有变化。"))
    progress = progress or TaskProgress(county_id=school.county_id, school=school, task=task)
    progress.note = note
    progress.status = TaskProgress.Status.SUBMITTED
    progress.submitted_by = by
    progress.submitted_at = clock.now()
    progress.save()
    _store(by, {"county_id": school.county_id, "school_id": school.pk, "progress": progress}, files)
    audit.record("campaign.progress_submit", progress, data={"task": task.pk})
    return progress


@transaction.atomic
def return_progress(*, by, progress: TaskProgress, comment: str) -> TaskProgress:
    _require(by, progress, "review")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("退回时请写明需要补充什么。")})
    if progress.status != TaskProgress.Status.SUBMITTED:
        raise ValidationError(_("只有已上报的材料可以退回。"))
    progress.status = TaskProgress.Status.RETURNED
    progress.comment = comment[:500]
    progress.reviewed_by, progress.reviewed_at = by, clock.now()
    progress.save()
    return progress


# --- articles ----------------------------------------------------------------------------------

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "h2", "h3", "h4", "ul", "ol", "li", "blockquote"}


def sanitise(html: str) -> str:
    """Rich text kept to paragraphs, headings, lists and emphasis (nh3, a maintained sanitiser):
    no scripts, styles, links, images or attributes; images come as attachments."""
    html = html or ""
    if not re.search(r"<[a-zA-Z/!]", html):  # plain text typed: one paragraph a line
        from django.utils.html import escape

        html = "".join(f"<p>{escape(line.strip())}</p>" for line in html.splitlines() if line.strip())
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, link_rel=None, strip_comments=True).strip()


def editable_text(body: str) -> str:
    """What the edit form shows: plain lines when the text is paragraphs only (as typed),
    else the (sanitised) HTML itself."""
    import html as htmllib

    parts = re.findall(r"<p>(.*?)</p>", body or "", flags=re.S)
    if parts and "".join(f"<p>{p}</p>" for p in parts) == (body or "") and not any("<" in p for p in parts):
        return "\n".join(htmllib.unescape(p) for p in parts)
    return body or ""


def _article_fields(title: str, body: str) -> tuple[str, str]:
    title = (title or "").strip()
    body = sanitise(body)
    errors = {}
    if not title:
        errors["title"] = _("请填写标题。")
    if not nh3.clean(body, tags=set()).strip():
        errors["body"] = _("请填写正文。")
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def save_article(*, by, campaign: Campaign, school, title: str, body: str, files=(), article=None) -> Article:
    """Write or revise a school's article (a draft, or one returned for changes)."""
    if article is None:
        article = Article(county_id=school.county_id, school=school, campaign=campaign, author=by)
        if campaign.county_id != school.county_id:
            raise ValidationError(_("只能为本县的专项行动撰写经验材料。"))
    _require(by, article, "change")
    if not article.editable:
        raise ValidationError(_("已提交或已采用的材料不能修改。"))
    article.title, article.body = _article_fields(title, body)
    article.save()
    _store(
        by, {"county_id": article.county_id, "school_id": article.school_id, "article": article}, files, True
    )
    return article


def _review(article, action, by, comment=""):
    return ArticleReview.objects.create(
        county_id=article.county_id,
        school_id=article.school_id,
        article=article,
        action=action,
        comment=comment,
        by=by,
        at=clock.now(),
    )


@transaction.atomic
def submit_article(*, by, article: Article) -> Article:
    _require(by, article, "change")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not article.editable:
        raise ValidationError(_("这篇材料已经提交。"))
    article.state = ArticleState.SUBMITTED
    article.submitted_at = clock.now()
    article.save()
    _review(article, ArticleReview.Action.SUBMIT, by)
    return article


@transaction.atomic
def return_article(*, by, article: Article, comment: str) -> Article:
    _require(by, article, "review")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("退回时请写明修改意见。")})
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.state not in (ArticleState.SUBMITTED, ArticleState.ACCEPTED):
        raise ValidationError(_("只有已提交或已采用的材料可以退回。"))
    article.state = ArticleState.RETURNED
    article.accepted_at = None
    article.booklet_order = None
    article.save()
    _review(article, ArticleReview.Action.RETURN, by, comment[:1000])
    return article


@transaction.atomic
def accept_article(*, by, article: Article, comment: str = "") -> Article:
    _require(by, article, "review")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.state != ArticleState.SUBMITTED:
        raise ValidationError(_("只有已提交的材料可以采用。"))
    article.state = ArticleState.ACCEPTED
    article.accepted_at = clock.now()
    last = (
        Article.objects.filter(campaign_id=article.campaign_id, booklet_order__isnull=False)
        .order_by("-booklet_order")
        .values_list("booklet_order", flat=True)
        .first()
    )
    article.booklet_order = (last or 0) + 1  # picked for the booklet, last; the bureau reorders
    article.save()
    _review(article, ArticleReview.Action.ACCEPT, by, (comment or "").strip()[:1000])
    return article


@transaction.atomic
def set_booklet(*, by, campaign: Campaign, article_ids: Sequence[int]) -> list[Article]:
    """The booklet's selection and order: these accepted articles, in this order."""
    _require(by, Article(county_id=campaign.county_id), "review")
    accepted = {
        a.pk: a
        for a in Article.objects.filter(campaign=campaign, state=ArticleState.ACCEPTED).select_for_update()
    }
    ids = [int(i) for i in article_ids]
    if len(set(ids)) != len(ids) or any(i not in accepted for i in ids):
        raise ValidationError(_("只能选择本专项行动已采用的材料，且每篇只能选一次。"))
    for a in accepted.values():
        a.booklet_order = ids.index(a.pk) + 1 if a.pk in ids else None
        a.save(update_fields=["booklet_order", "updated_at"])
    audit.record("campaign.booklet", campaign, data={"articles": ids})
    return [accepted[i] for i in ids]
