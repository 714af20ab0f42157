"""The list page every register uses: one django-filter FilterSet serves the page, the API
and the export (GUIDE conventions); scoped, paginated, exportable, audited."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.views.generic import TemplateView

from anxin.core import audit, policy
from anxin.core.access import require
from anxin.core.xlsx import xlsx_response

logger = logging.getLogger(__name__)


class ScopedListView(LoginRequiredMixin, TemplateView):
    model = None
    filterset_class = None
    action = "view"
    export_action = "export"
    title = ""
    columns: list[tuple[str, str]] = []  # (header, attribute or callable name) for the export
    export_name = ""
    select_related: tuple[str, ...] = ()
    # fields the page leaves unread: encrypted ones it does not show, each a decryption per row
    # (the export still reads them)
    unread_on_page: tuple[str, ...] = ()
    paginate_by = None
    # Huge registers: the total under the filters comes from figures() (cached per user,
    # filters and the app's data version) instead of a COUNT(*) on every page view.
    cache_counts = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.cache_counts and cls.model is not None:
            track(cls.model._meta.app_label)

    def base_queryset(self):
        # An export reads through the export right's own scope, not the (wider) view scope:
        # a class teacher who also teaches another class exports only their own class.
        qs = self.model.objects.restrict(
            self.request.user, getattr(self, "scope_action", None) or self.action
        )
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        school = current_school_id(self.request)
        if school and getattr(self.model, "scope", None) and self.model.scope.school == "school_id":
            qs = qs.filter(school_id=school)
        return qs

    def filtered(self):
        qs = self.base_queryset()
        if self.filterset_class is None:
            return None, qs
        fs = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
        drop_single_choices(fs, self.request.user)
        return fs, (fs.qs if fs.is_bound and fs.is_valid() else qs)

    def get(self, request, *args, **kwargs):
        require(request, policy.perm_name(self.model, self.action))
        if request.GET.get("format") == "xlsx":
            require(request, policy.perm_name(self.model, self.export_action))
            self.scope_action = self.export_action
            fs, qs = self.filtered()
            rows = (self.export_row(o) for o in qs.iterator(chunk_size=2000))
            name = f"{self.export_name or self.title}-{timezone.localdate():%Y%m%d}.xlsx"
            response = xlsx_response(name, [(self.title, [h for h, _ in self.columns], rows)])
            # recorded once the file exists: the trail never shows an export that failed
            audit.append(
                "export",
                object_type=self.model._meta.label_lower,
                data={"filters": {k: v for k, v in request.GET.items() if k != "format"}},
            )
            return response
        return super().get(request, *args, **kwargs)

    def export_row(self, obj):
        out = []
        for _h, attr in self.columns:
            # a column names a method of the view only when that method exists and is
            # callable; plain attributes of the view (action, title…) never shadow a field
            method = getattr(type(self), attr, None)
            value = getattr(self, attr)(obj) if callable(method) else _attr(obj, attr)
            out.append(value)
        return out

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        fs, qs = self.filtered()
        if self.unread_on_page:
            qs = qs.defer(*self.unread_on_page)
        per_page = self.paginate_by or settings.ANXIN_LIST_PAGE_SIZE
        if self.cache_counts:
            asked = sorted((k, v) for k, v in self.request.GET.lists() if k not in ("page", "format"))
            known = figures(
                self.request,
                self.model._meta.app_label,
                (type(self).__name__, self.action, "total", current_school_id(self.request), asked),
                lambda: {"n": qs.count()},
            )["n"]
            paginator = KnownCountPaginator(qs, per_page, count=known)
        else:
            paginator = Paginator(qs, per_page)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(
            filter=fs,
            page_obj=page,
            object_list=page.object_list,
            title=self.title,
            query=query.urlencode(),
            can_export=policy.can(self.request.user, policy.perm_name(self.model, self.export_action)),
        )
        return ctx


def choice_labels(model, *names: str) -> list[dict[str, str]]:
    """For each field of ``model`` named, its choices as {value: label in the current language}:
    a list page that makes its rows in the view (as values, not objects) labels them with it."""
    return [{k: str(v) for k, v in model._meta.get_field(name).flatchoices} for name in names]


def single_scope(user) -> tuple[int | None, int | None]:
    """(school id, class id) when all the user sees lies in one school / one class (from the
    memberships and grants already loaded for the request: no query of its own), else None."""
    from anxin.core.roles import ROLE_SCOPE, ScopeLevel

    ms = policy.memberships(user)
    if not ms or any(ROLE_SCOPE[m.role] == ScopeLevel.COUNTY for m in ms):
        return None, None
    grants = policy.grants(user)
    schools = {m.school_id for m in ms} | {g.school_id for g in grants}
    school = next(iter(schools)) if len(schools) == 1 and None not in schools else None
    klass = None
    if school is not None and not grants and all(ROLE_SCOPE[m.role] == ScopeLevel.CLASS for m in ms):
        classes = {m.klass_id for m in ms}
        klass = next(iter(classes)) if len(classes) == 1 and None not in classes else None
    return school, klass


def drop_single_choices(fs, user) -> None:
    """A list's 学校 and 班级 selects go when the user can see only one school / one class
    (a one-class teacher is not asked to pick their own class; issue 11 item 8). Used by every
    list page (ScopedListView and the lists built by hand); the API keeps the fields."""
    if fs is None:
        return
    school, klass = single_scope(user)
    drop = (["school"] if school is not None else []) + (["klass"] if klass is not None else [])
    for name in drop:
        fs.filters.pop(name, None)
        form = getattr(fs, "_form", None)
        if form is not None:
            form.fields.pop(name, None)


def _attr(obj, path: str):
    value = obj
    for part in path.split("."):
        if value is None:
            return ""
        getter = getattr(value, f"get_{part}_display", None)
        value = getter() if getter else getattr(value, part)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def current_school_id(request) -> int | None:
    """The school a county-level user is looking at (top-bar switcher), if any."""
    value = request.session.get("school_filter")
    return int(value) if value else None


# --- figures that do not scan the county on every page view -----------------------------------
# A stat card or a register's total is computed once and kept in the cache for FIGURES_TTL
# seconds, keyed by the user, their posts, what is asked, and the data version of the app's
# rows in the user's counties. Every save or delete of a row of a tracked app moves its
# county's version (post_save/post_delete), so a change made through the models shows at once;
# what moves without a signal (a queryset update, the clock passing a deadline) shows within
# FIGURES_TTL seconds.
FIGURES_TTL = 60
QUIET_FIELDS = frozenset({"last_login"})  # saves of only these fields move no version
_TRACKED: set[str] = set()


def _version_key(app_label: str, county_id) -> str:
    return f"anxin:figver:{app_label}:{county_id}"


def _bump(sender, instance, **kwargs) -> None:
    label = sender._meta.app_label
    if label not in _TRACKED:
        return
    fields = kwargs.get("update_fields")
    if fields and set(fields) <= QUIET_FIELDS:
        return  # a login's stamp changes no figure
    key = _version_key(label, getattr(instance, "county_id", None))
    if _in_database():
        # the database cache's increment is an UPDATE of one row: inside the writer's
        # transaction it would hold that row until commit and queue every writer of the county
        # behind it. After the commit it is a short transaction of its own.
        transaction.on_commit(lambda: _move(key, label))
        return
    _move(key, label)
    if transaction.get_connection().in_atomic_block:
        # and again once the change is visible: a reader that counted the old rows under the
        # version moved above does not keep its figure past the commit
        transaction.on_commit(lambda: _move(key, label))


def _in_database() -> bool:
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    return isinstance(caches["default"], DatabaseCache)


def _move(key: str, label: str) -> None:
    try:
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or evicted): any new value changes the keys
            cache.set(key, int(timezone.now().timestamp() * 1000), None)
    except Exception:  # noqa: BLE001 - the cache down never fails a write
        # figures cached before the outage may stay up to FIGURES_TTL seconds old
        logger.warning("figures cache unavailable: version of %s not moved", label)


def track(app_label: str) -> None:
    """Move the data version of ``app_label``'s rows whenever one is saved or deleted.

    The receivers are connected per model, never for every sender: a delete listener on a model
    makes each ``QuerySet.delete()`` of it load the rows and signal them one by one, so models
    no figure is computed from (the rollups and their marks: ``figures_untracked = True``) and
    the untracked apps keep Django's single-statement delete."""
    if app_label in _TRACKED:
        return
    from django.apps import apps

    for model in apps.get_app_config(app_label).get_models():
        if getattr(model, "figures_untracked", False):
            continue
        uid = f"anxin.listing.figures.{model._meta.label_lower}"
        post_save.connect(_bump, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_bump, sender=model, dispatch_uid=uid + ".delete")
    _TRACKED.add(app_label)


def figures(request, app_label: str, what, compute: Callable[[], dict]) -> dict:
    """``compute()`` (a dict of figures), or what it gave for the same question asked by the
    same user under the same posts and data version in the last FIGURES_TTL seconds."""
    return cached_for_user(request.user, app_label, what, compute)


def cached_for_user(user, app_label: str, what, compute: Callable[[], object]):
    """``figures`` for callers without a request (工作台's figure providers). ``compute()``
    must return something the cache can pickle."""
    from django.utils.translation import get_language

    track(app_label)
    posts = sorted((m.role, m.county_id, m.school_id, m.klass_id) for m in policy.memberships(user))
    held = sorted((g.school_id, str(g.expires_at)) for g in policy.grants(user))
    counties = sorted({c for _r, c, _s, _k in posts} | {user.county_id}, key=str)
    version_keys = [_version_key(app_label, c) for c in counties] + [_version_key(app_label, None)]
    try:
        versions = cache.get_many(version_keys)
    except Exception:  # noqa: BLE001 - no cache: count, as without one
        return compute()
    raw = repr(
        (app_label, user.pk, posts, held, [versions.get(k) for k in version_keys], get_language(), what)
    )
    key = "anxin:fig:" + hashlib.sha256(raw.encode()).hexdigest()
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001
        value = None
    if value is None:
        value = compute()
        try:
            cache.set(key, value, FIGURES_TTL)
        except Exception:  # noqa: BLE001
            logger.warning("figures cache unavailable: %s counted without it", app_label)
    return value


def cached_for_county(county_id, app_labels, questions: dict) -> dict:
    """``{what: compute()}`` for questions whose answers are the same for everyone who may ask
    them (a campaign task's standing per school), each kept FIGURES_TTL seconds and keyed by the
    data version of every app in ``app_labels`` in the county: a save or delete of one of their
    rows there is seen at once, what moves without a signal within FIGURES_TTL seconds.
    ``questions`` maps each ``what`` (its repr names it) to its ``compute``; two cache round
    trips for them all, a third to keep the ones computed."""
    from django.utils.translation import get_language

    for label in app_labels:
        track(label)
    # the county's rows, and rows that carry no county (they move the version of "None")
    version_keys = [_version_key(label, c) for label in app_labels for c in (county_id, None)]
    try:
        got = cache.get_many(version_keys)
    except Exception:  # noqa: BLE001 - no cache: compute, as without one
        return {what: compute() for what, compute in questions.items()}
    versions = [got.get(k) for k in version_keys]
    keys = {
        what: "anxin:cty:"
        + hashlib.sha256(repr((county_id, versions, get_language(), what)).encode()).hexdigest()
        for what in questions
    }
    try:
        kept = cache.get_many(list(keys.values()))
    except Exception:  # noqa: BLE001
        kept = {}
    out, fresh = {}, {}
    for what, compute in questions.items():
        if keys[what] in kept:
            out[what] = kept[keys[what]]
        else:
            out[what] = fresh[keys[what]] = compute()
    if fresh:
        try:
            cache.set_many(fresh, FIGURES_TTL)
        except Exception:  # noqa: BLE001
            logger.warning("figures cache unavailable: computed without it")
    return out


class KnownCountPaginator(Paginator):
    """A paginator told its total (from ``figures``) instead of counting."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
