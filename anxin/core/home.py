"""工作台: the user's duties, most urgent first, and the few figures the role is judged by;
催办 on someone else's overdue duty.

The page, its API twin (``/api/v1/home/``) and 催办 all read the same derived duties
(:func:`anxin.core.duties.duties_for`), so a chase can only be pressed on a duty the user
sees, and it is re-derived at the moment it is pressed (never trusted from the form).

An overseer (the bureau) sees the same duty owed by many schools (a campaign task every school
let pass: a duty with an ``overview``) as one line naming its schools, each with its own link
and 催办, and 全部催办 for all of them; the API lists every duty.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import audit, clock, duties
from anxin.core.models import Chase

GROUPS = (
    (duties.State.OVERDUE, gettext_lazy("已逾期")),
    (duties.State.DUE_SOON, gettext_lazy("本周到期")),
    (duties.State.NEW, gettext_lazy("新消息")),
    (duties.State.OPEN, gettext_lazy("其他待办")),
)
MAX_PER_GROUP = 20  # a county's bureau may see hundreds; the list pages show the rest
# the same duty (kind, title, due time) owed by this many schools or more, none of it the
# reader's own: one line with its schools
BUNDLE_AT = 3
MAX_CHASE_AT_ONCE = 200


@dataclass
class Row:
    duty: duties.Duty
    state: str
    mine: bool
    can_chase: bool
    chased_at: dt.datetime | None
    due_text: str

    @property
    def chased_today(self) -> bool:
        return self.chased_at is not None and clock.local_date(self.chased_at) == clock.today()


@dataclass
class Bundle:
    """One line for the same duty owed by several schools: its rows, most urgent first."""

    rows: list[Row]

    @property
    def duty(self) -> duties.Duty:
        return self.rows[0].duty

    @property
    def state(self) -> str:
        return self.rows[0].state


def due_text(d: duties.Duty, now: dt.datetime) -> str:
    due = d.due_at()
    if due is None:
        return ""
    local = due.astimezone(clock.SHANGHAI)
    today = clock.local_date(now)
    days = (local.date() - today).days
    if due < now and not isinstance(d.due, dt.datetime):
        return _("已逾期 %(n)s 天") % {"n": (today - d.due).days}
    if due < now:
        late = now - due
        if late < dt.timedelta(days=1):
            hours = int(late.total_seconds() // 3600)
            return _("已逾期 %(n)s 小时") % {"n": hours} if hours else _("刚刚到期")
        return _("已逾期 %(n)s 天") % {"n": late.days}
    if days == 0:
        return (
            _("今天 %(t)s 到期") % {"t": local.strftime("%H:%M")}
            if isinstance(d.due, dt.datetime)
            else _("今天到期")
        )
    if days == 1:
        return _("明天到期")
    return _("%(m)s月%(d)s日到期") % {"m": local.month, "d": local.day}


def _rows(user, now: dt.datetime, items: list[tuple[duties.Duty, str]]) -> list[Row]:
    """Rows for these (duty, state) pairs: whether each is the user's, may be chased, when it
    last was (one query for them all)."""
    refs = [d.ref for d, _s in items if d.ref]
    chased: dict[str, dt.datetime] = {}
    if refs:
        # the latest chase per duty (today's blocks another; older ones are history)
        for ref, at in Chase.objects.filter(ref__in=refs).order_by("ref", "at").values_list("ref", "at"):
            chased[ref] = at
    return [
        Row(
            duty=d,
            state=state,
            mine=d.is_mine(user),
            can_chase=duties.can_chase(user, d, now),
            chased_at=chased.get(d.ref),
            due_text=due_text(d, now),
        )
        for d, state in items
    ]


def _chase_form(chase_url: str, csrf: str, refs: list[str], ask: str, word: str, confirm: str) -> str:
    hidden = "".join(f'<input type="hidden" name="ref" value="{escape(ref)}">' for ref in refs)
    return (
        f'\n    <details class="chase"><summary class="btn small danger">{word}</summary>'
        f'\n      <form method="post" action="{escape(chase_url)}">{csrf}{hidden}'
        f"\n        <p>{escape(ask)}</p>"
        f'\n        <button class="btn small danger" type="submit">{confirm}</button>'
        "\n      </form>\n    </details>"
    )


def _bundle_html(
    b: Bundle, *, chase_url: str, csrf: str, owner_word: str, chase_word: str, confirm: str
) -> str:
    """A bundle's line: the duty, how many schools owe it and since when, the schools (each its
    detail, its link, when it was chased, its own 催办) behind a disclosure, and 全部催办 for
    those that may be chased today."""
    d = b.duty
    url = escape(d.overview or d.url)
    n = len({r.duty.school_id for r in b.rows})
    meta = f'<span class="due">{escape(b.rows[0].due_text)}</span>' if b.rows[0].due_text else ""
    meta += f'<span class="schools-n">{escape(_("%(n)s 所学校") % {"n": n})}</span>'
    if d.owner:
        meta += f'<span class="owner">{owner_word}：{escape(d.owner)}</span>'
    items = []
    for r in b.rows:
        item = f'<a href="{escape(r.duty.url)}">{escape(r.duty.detail or r.duty.title)}</a>'
        if r.chased_at:
            at = date_format(timezone.localtime(r.chased_at), "n月j日 H:i")
            item += f' <span class="chased">{escape(_("已催办（%(at)s）") % {"at": at})}</span>'
        if r.can_chase and not r.chased_today:  # one school on its own
            ask = _("通知 %(owner)s 尽快办理？每项每天只能催办一次。") % {"owner": r.duty.owner}
            item += _chase_form(chase_url, csrf, [r.duty.ref], ask, chase_word, confirm)
        items.append(f"<li>{item}</li>")
    shown = escape(_("查看各校（%(n)s）") % {"n": n})
    body = (
        f'<a class="title" href="{url}">{escape(d.title)}</a>\n    <div class="meta">{meta}</div>'
        f'\n    <details class="schools"><summary>{shown}</summary><ul>{"".join(items)}</ul></details>'
    )
    acts = f'<a class="btn small primary" href="{url}">{escape(_("看进度"))}</a>'
    # (more schools than one press may chase: the rest on the next press)
    chaseable = [r for r in b.rows if r.can_chase and not r.chased_today][:MAX_CHASE_AT_ONCE]
    if chaseable:
        told = len({r.duty.school_id for r in chaseable})
        ask = _("通知这 %(n)s 所学校的%(owner)s尽快办理？每项每天只能催办一次。") % {
            "n": told,
            "owner": d.owner,
        }
        acts += _chase_form(
            chase_url, csrf, [r.duty.ref for r in chaseable], ask, escape(_("全部催办")), confirm
        )
    return (
        f'<li class="duty bundle {escape(b.state)}" data-kind="{escape(d.kind)}" data-schools="{n}">'
        f'\n  <div class="body">\n    {body}\n  </div>\n  <div class="acts">\n    {acts}\n  </div>\n</li>'
    )


def rows_html(rows: list[Row | Bundle], *, chase_url: str, csrf_token: str) -> SafeString:
    """工作台's rows as HTML, built in one pass (like dashboards.tables): through the template
    language each row resolved some thirty variables and tags, a third of the bureau's page
    with forty rows shown. The markup is what the template gave; every value is escaped."""
    owner_word, do_it, chase_word, confirm = (escape(_(w)) for w in ("责任人", "办理", "催办", "确认催办"))
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
    out = []
    for r in rows:
        if isinstance(r, Bundle):
            out.append(
                _bundle_html(
                    r,
                    chase_url=chase_url,
                    csrf=csrf,
                    owner_word=owner_word,
                    chase_word=chase_word,
                    confirm=confirm,
                )
            )
            continue
        d = r.duty
        url, ref = escape(d.url), escape(d.ref)
        meta = f'<span class="due">{escape(r.due_text)}</span>' if r.due_text else ""
        if not r.mine and d.owner:
            meta += f'<span class="owner">{owner_word}：{escape(d.owner)}</span>'
        body = f'<a class="title" href="{url}">{escape(d.title)}</a>\n    <div class="meta">{meta}</div>'
        if d.detail:
            body += f'\n    <div class="detail">{escape(d.detail)}</div>'
        if r.chased_at:
            at = date_format(timezone.localtime(r.chased_at), "n月j日 H:i")
            body += f'\n    <div class="chased">{escape(_("已催办（%(at)s）") % {"at": at})}</div>'
        acts = f'<a class="btn small primary" href="{url}">{escape(d.action) if d.action else do_it}</a>'
        if r.can_chase and not r.chased_today:
            ask = _("通知 %(owner)s 尽快办理？每项每天只能催办一次。") % {"owner": d.owner}
            acts += _chase_form(chase_url, csrf, [d.ref], ask, chase_word, confirm)
        out.append(
            f'<li class="duty {escape(r.state)}" data-kind="{escape(d.kind)}" data-ref="{ref}">'
            f'\n  <div class="body">\n    {body}\n  </div>\n  <div class="acts">\n    {acts}\n  </div>\n</li>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 — every value above is escaped


def rows_for(user, now: dt.datetime) -> list[Row]:
    """Every duty of the user as a row (the API's 工作台)."""
    return _rows(user, now, [(d, d.state(now)) for d in duties.duties_for(user, now)])


def _lines(user, ds: list[duties.Duty]) -> list[duties.Duty | list[duties.Duty]]:
    """A group's duties in their order; a duty that has an ``overview`` (where it is seen for
    every school: a campaign task's board), owed by BUNDLE_AT schools or more and not the user's
    own, gathered into one list at the place of its first (same kind, title, due time, overview
    and owner)."""
    key_of = {
        id(d): (d.kind, d.title, d.due_at(), d.overview, d.owner)
        for d in ds
        if d.overview and d.school_id is not None
    }
    if not key_of:
        return list(ds)
    mine = {id(d) for d in ds if id(d) in key_of and d.is_mine(user)}
    schools: dict[tuple, set] = {}
    for d in ds:
        if id(d) in key_of and id(d) not in mine:
            schools.setdefault(key_of[id(d)], set()).add(d.school_id)
    out: list = []
    bundles: dict[tuple, list[duties.Duty]] = {}
    for d in ds:
        key = key_of.get(id(d))
        if key is None or id(d) in mine or len(schools[key]) < BUNDLE_AT:
            out.append(d)
        elif key in bundles:
            bundles[key].append(d)
        else:
            out.append(bundles.setdefault(key, [d]))
    return out


def groups_for(user, now: dt.datetime) -> list[dict]:
    """工作台's groups (已逾期, 本周到期, 新消息, 其他待办): each group's first MAX_PER_GROUP lines
    (a duty, or a bundle of the same duty owed by several schools) and how many duties there
    are in all. Only the rows shown are worked out (a county's bureau may have a thousand
    overdue duties of its schools). ``rows``: every row shown, bundled or not; ``lines``: what
    the page lists."""
    by_state: dict[str, list[duties.Duty]] = {}
    for d in duties.duties_for(user, now):
        by_state.setdefault(d.state(now), []).append(d)
    lines = {state: _lines(user, by_state.get(state, [])) for state, _l in GROUPS}
    shown = [
        (d, state)
        for state, _l in GROUPS
        for item in lines[state][:MAX_PER_GROUP]
        for d in (item if isinstance(item, list) else [item])
    ]
    rows = iter(_rows(user, now, shown))
    out = []
    for state, label in GROUPS:
        n = len(by_state.get(state, []))
        if not n:
            continue
        shown_lines = [
            Bundle([next(rows) for _d in item]) if isinstance(item, list) else next(rows)
            for item in lines[state][:MAX_PER_GROUP]
        ]
        out.append(
            {
                "state": state,
                "label": label,
                "lines": shown_lines,
                "rows": [
                    r for line in shown_lines for r in (line.rows if isinstance(line, Bundle) else [line])
                ],
                # the duties not shown (a bundle shown stands for each of its schools)
                "more": n
                - sum(len(item) if isinstance(item, list) else 1 for item in lines[state][:MAX_PER_GROUP]),
                "n": n,
            }
        )
    return out


# --- 催办 --------------------------------------------------------------------------------------


class Refused(Exception):
    pass


def recipients(d: duties.Duty) -> list:
    """The people who owe ``d``: its named owners, or whoever holds its post where it is owed."""
    Membership, User = apps.get_model("accounts", "Membership"), get_user_model()  # noqa: N806 — core imports no app

    if d.owner_ids:
        return list(User.objects.filter(pk__in=d.owner_ids, is_active=True))
    if not d.post:
        return []
    ms = Membership.objects.active().filter(role=d.post, user__is_active=True)
    ms = ms.filter(school_id=d.school_id) if d.school_id is not None else ms.filter(school__isnull=True)
    return [m.user for m in ms.select_related("user")]


def chase(user, ref: str, now: dt.datetime | None = None) -> Chase:
    """Press 催办 on the overdue duty ``ref`` the user sees for someone else: notify its owners
    (in-app and e-mail, through the task queue), log the chase and audit it. Once per duty
    per day."""
    now = now or clock.now()
    return _chase_one(user, {d.ref: d for d in duties.duties_for(user, now)}.get(ref), now)


def chase_many(user, refs: list[str], now: dt.datetime | None = None) -> tuple[list[Chase], list[str]]:
    """全部催办: :func:`chase` on each of ``refs`` (the user's duties derived once); the chases
    made, and why the others were refused (one line for each reason)."""
    now = now or clock.now()
    refs = list(dict.fromkeys(refs))
    if len(refs) > MAX_CHASE_AT_ONCE:
        raise Refused(_("一次最多催办 %(n)s 项。") % {"n": MAX_CHASE_AT_ONCE})
    seen = {d.ref: d for d in duties.duties_for(user, now)}
    made, refused = [], Counter()
    for ref in refs:
        try:
            made.append(_chase_one(user, seen.get(ref), now))
        except Refused as exc:
            refused[str(exc)] += 1
    return made, [_("%(n)s 项未催办：%(why)s") % {"n": n, "why": why} for why, n in refused.items()]


def _chase_one(user, d: duties.Duty | None, now: dt.datetime) -> Chase:
    if d is None:
        raise Refused(_("没有找到这项待办，或您无权查看。"))
    if not duties.can_chase(user, d, now):
        raise Refused(_("只能催办他人已逾期的事项。"))
    people = recipients(d)
    if not people:
        raise Refused(_("这项待办没有可通知的责任人。"))
    day = clock.local_date(now)
    try:
        with transaction.atomic():
            c = Chase.objects.create(
                ref=d.ref,
                kind=d.kind,
                title=d.title[:200],
                day=day,
                at=now,
                by=user,
                county_id=user.county_id,
                school_id=d.school_id,
                recipients=[u.pk for u in people],
            )
    except IntegrityError:
        raise Refused(_("今天已经催办过这项待办。")) from None
    audit.append(
        "duty.chase",
        object_type="core.chase",
        object_id=c.pk,
        county_id=user.county_id,
        school_id=d.school_id,
        data={"ref": d.ref, "kind": d.kind, "recipients": c.recipients},
    )
    from anxin.core.tasks import send_chase

    transaction.on_commit(lambda: send_chase(c.pk))
    return c


def send_chase_notices(chase_id: int) -> int:
    """The task body: one notice per owner, once per chase (dedupe key)."""
    from anxin.core.notify import notify

    User = get_user_model()  # noqa: N806

    c = Chase.objects.filter(pk=chase_id).select_related("by").first()
    if c is None:
        return 0
    people = list(User.objects.filter(pk__in=c.recipients))
    sent = notify(
        people,
        kind="chase",
        title=_("催办：%(title)s") % {"title": c.title},
        body=_("%(who)s 于 %(at)s 催办此项已逾期的工作，请尽快办理。")
        % {"who": c.by, "at": c.at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")},
        url="/home/",
        dedupe_key=f"chase:{c.pk}",
        school=c.school_id,
        county=c.county_id,
    )
    return len(sent)
