"""The list page every register uses: one django-filter FilterSet serves the page, the API
and the export (GUIDE conventions); scoped, paginated, exportable, audited."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from anxin.core import audit, policy
from anxin.core.access import require
from anxin.core.xlsx import xlsx_response


class ScopedListView(LoginRequiredMixin, TemplateView):
    model = None
    filterset_class = None
    action = "view"
    export_action = "export"
    title = ""
    columns: list[tuple[str, str]] = []  # (header, attribute or callable name) for the export
    export_name = ""
    select_related: tuple[str, ...] = ()
    paginate_by = None

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
        paginator = Paginator(qs, self.paginate_by or settings.ANXIN_LIST_PAGE_SIZE)
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
