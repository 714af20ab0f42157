"""制度文件、工作方案、领导小组 (R-ORG-7, R-ORG-8) and 举一反三 (R-SCR-9)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import audit, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import form_errors
from anxin.core.listing import ScopedListView
from anxin.governance import files, forms, services
from anxin.governance.documents import leading_group_docx, workplan_docx
from anxin.governance.documents_state import rules_states
from anxin.governance.files import DOCX
from anxin.governance.filters import ImprovementFilter
from anxin.governance.leading import group_of
from anxin.governance.models import RULE_KINDS, DocKind, DocumentVersion, Improvement
from anxin.governance.views._common import pick_school, school_for

DV = "governance.documentversion"


def _versions(school, kinds):
    rows = (
        DocumentVersion.objects.filter(school=school, kind__in=list(kinds))
        .select_related("approved_by", "uploaded_by")
        .order_by("kind", "-number")
    )
    out = {k: [] for k in kinds}
    for v in rows:
        out[v.kind].append(v)
    return out


def _can_change(request, school) -> bool:
    return policy.allows(
        request.user, DocumentVersion(county_id=school.county_id, school_id=school.pk), "change"
    )


@login_required
def documents(request):
    school = school_for(request, f"{DV}.view")
    if school is None:
        return pick_school(request, f"{DV}.view", _("制度文件"))
    state = rules_states([school])[school.pk]
    versions = _versions(school, RULE_KINDS)
    labels = dict(DocKind.choices)
    kinds = [
        {
            "kind": k,
            "label": labels[k],
            "versions": versions[k],
            "missing": k in state.missing,
            "old": k in state.old,
        }
        for k in RULE_KINDS
    ]
    open_items = Improvement.objects.restrict(request.user, "view").filter(
        school=school, status=Improvement.Status.OPEN
    )
    return render(
        request,
        "governance/documents.html",
        {
            "title": _("制度文件"),
            "school": school,
            "kinds": kinds,
            "state": state,
            "open_items": list(open_items),
            "can_change": _can_change(request, school),
        },
    )


@login_required
def version_create(request):
    kind = request.GET.get("kind") or request.POST.get("kind") or DocKind.RULES
    if kind not in DocKind.values:
        raise Http404
    school = school_for(request, f"{DV}.change")
    if school is None:
        return pick_school(request, f"{DV}.change", _("上传新版本"))
    probe = DocumentVersion(county_id=school.county_id, school_id=school.pk)
    check(request, probe, "change")
    form = forms.VersionForm(request.POST or None, request.FILES or None, school=school, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        try:
            v = services.add_version(request.user, school, kind=kind, data=data, upload=upload)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已上传：%(v)s。") % {"v": v})
            return redirect("governance:workplan" if kind == DocKind.WORKPLAN else "governance:documents")
    back = reverse("governance:workplan" if kind == DocKind.WORKPLAN else "governance:documents")
    return render(
        request,
        "governance/form.html",
        {
            "title": _("上传新版本：%(kind)s") % {"kind": DocKind(kind).label},
            "subtitle": school.name,
            "school": school,
            "kind": kind,
            "form": form,
            "multipart": True,
            "help": _("每次修订上传为新版本，旧版本保留可查。制度文件须写明审定人、审定日期和施行日期。"),
            "cancel": back,
        },
    )


@login_required
def version_download(request, pk):
    v = get_for_user(request, DocumentVersion, pk, queryset=DocumentVersion.objects.select_related("school"))
    return files.download(
        v,
        filename=f"{v.school.name}-{v.get_kind_display()}-第{v.number}版",
        view="governance:version_download",
    )


@login_required
def workplan(request):
    school = school_for(request, f"{DV}.view")
    if school is None:
        return pick_school(request, f"{DV}.view", _("工作方案"))
    return render(
        request,
        "governance/workplan.html",
        {
            "title": _("工作方案"),
            "school": school,
            "versions": _versions(school, [DocKind.WORKPLAN])[DocKind.WORKPLAN],
            "can_change": _can_change(request, school),
        },
    )


def _docx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def workplan_draft(request):
    school = school_for(request, f"{DV}.change")
    if school is None:
        return pick_school(request, f"{DV}.change", _("生成工作方案初稿"))
    check(request, DocumentVersion(county_id=school.county_id, school_id=school.pk), "change")
    content = workplan_docx(school)
    audit.append(
        "export",
        object_type="governance.documentversion",
        school_id=school.pk,
        county_id=school.county_id,
        data={"draft": "workplan"},
    )
    return _docx_response(content, f"{school.name}-工作方案初稿-{timezone.localdate():%Y%m%d}.docx")


@login_required
def leading_group(request):
    school = school_for(request, f"{DV}.view")
    if school is None:
        return pick_school(request, f"{DV}.view", _("领导小组"))
    return render(
        request,
        "governance/leading_group.html",
        {"title": _("防治学生欺凌工作领导小组"), "school": school, "group": group_of(school)},
    )


@login_required
def leading_group_docx_view(request):
    school = school_for(request, f"{DV}.view")
    if school is None:
        return pick_school(request, f"{DV}.view", _("领导小组"))
    audit.append(
        "export", object_type="governance.leadinggroup", school_id=school.pk, county_id=school.county_id
    )
    return _docx_response(leading_group_docx(school), f"{school.name}-防治学生欺凌工作领导小组.docx")


# --- 举一反三 ------------------------------------------------------------------------------------


class ImprovementListView(ScopedListView):
    model = Improvement
    filterset_class = ImprovementFilter
    template_name = "governance/improvement_list.html"
    title = gettext_lazy("举一反三")
    select_related = ("school", "raised_by", "version")
    export_action = "view"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "governance.improvement.change")
        return ctx

    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("需完善的文件"), "document"),
        (gettext_lazy("拟完善的制度或流程"), "change"),
        (gettext_lazy("状态"), "status"),
    ]


def _source_object(request):
    """The case, sign or rectification named in the query, read in the user's scope."""
    from anxin.cases.models import BullyingCase
    from anxin.screening.models import DutyLog, Rectification

    for key, source, model in (
        ("case", Improvement.Source.CASE, BullyingCase),
        ("sign", Improvement.Source.SIGN, DutyLog),
        ("rectification", Improvement.Source.RECTIFICATION, Rectification),
    ):
        value = request.GET.get(key) or request.POST.get(key)
        if value:
            return key, source, get_for_user(request, model, value)
    return None, None, None


def _pick_source(request):
    """What a 举一反三 may start from at the user's school: closed cases, signs, rectifications."""
    from anxin.cases.models import BullyingCase, CaseState
    from anxin.screening.models import DutyLog, Rectification

    school = school_for(request, "governance.improvement.change")
    if school is None:
        return pick_school(request, "governance.improvement.change", _("举一反三：选择来源"))
    user = request.user
    return render(
        request,
        "governance/improvement_pick.html",
        {
            "title": _("举一反三：选择来源"),
            "school": school,
            "cases": BullyingCase.objects.restrict(user, "view")
            .filter(school=school, state=CaseState.CLOSED)
            .order_by("-closed_at")[:30],
            "signs": DutyLog.objects.restrict(user, "view")
            .filter(school=school, is_sign=True)
            .order_by("-at")[:30],
            "rectifications": Rectification.objects.restrict(user, "view")
            .filter(school=school)
            .order_by("-found_on")[:30],
        },
    )


@login_required
def improvement_create(request):
    require(request, "governance.improvement.change")
    key, source, obj = _source_object(request)
    if obj is None:
        return _pick_source(request)
    check(request, Improvement(county_id=obj.county_id, school_id=obj.school_id), "change")
    form = forms.ImprovementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            imp = services.raise_improvement(request.user, source=source, obj=obj, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已登记举一反三事项，上传该文件的新版本或记录不修订的决定后办结。"))
            return redirect("governance:improvement_detail", pk=imp.pk)
    return render(
        request,
        "governance/form.html",
        {
            "title": _("举一反三：完善制度、流程"),
            "subtitle": str(obj),
            "hidden": {key: obj.pk},
            "form": form,
            "help": _("写明查明的原因、与家长的沟通情况，以及需要完善的制度或流程。"),
            "cancel": reverse("governance:improvement_list"),
        },
    )


@login_required
def improvement_detail(request, pk):
    imp = get_for_user(
        request,
        Improvement,
        pk,
        queryset=Improvement.objects.select_related("school", "raised_by", "closed_by", "version"),
    )
    can_change = imp.status == Improvement.Status.OPEN and policy.allows(request.user, imp, "change")
    form = forms.KeepForm(request.POST or None) if can_change else None
    if request.method == "POST":
        check(request, imp, "change")
        if form is not None and form.is_valid():
            try:
                services.keep_document(request.user, imp, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已记录不修订的决定，事项办结。"))
                return redirect("governance:improvement_detail", pk=imp.pk)
    return render(
        request,
        "governance/improvement_detail.html",
        {"imp": imp, "form": form, "can_change": can_change},
    )
