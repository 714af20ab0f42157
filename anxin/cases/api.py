"""REST API of incident cases (R-Q-3): every step of the pages, through the same forms and the
same services, under the same rights (``anxin.cases.permissions``).

- ``GET  /api/v1/cases/``                 the register (台账, no names) or, for roles without
  it, the cases one may open; ``GET /api/v1/cases/{id}/`` a case with its parties (audited)
- ``POST /api/v1/cases/``                 open a case (登记)
- ``POST /api/v1/cases/{id}/advance/``    a step of the main track: ``{"name": "close", "version": 7}``
- ``POST /api/v1/cases/{id}/<step>/``     one endpoint per recording step, e.g. ``notice``,
  ``statement``, ``determination``, ``measure``, ``support``, ``appeal`` … (the same names
  as the pages' ``/cases/{id}/do/<step>/``); the body holds the fields of the page's form
- ``GET  /api/v1/cases/{id}/timeline/``   the hash-chained timeline
- ``/api/v1/case-reports/``               reports to the bureau: ``edit``, ``sign-off``
  (签发, the principal or the designated deputy), ``submit``, ``acknowledge``, ``docx``
- ``/api/v1/case-committees/``            the schools' 学生欺凌治理委员会 (read)
- ``/api/v1/case-legal-parameters/``       the county's legal parameters (R-Q-7): read;
  ``POST`` a new version (the county's administrator)

A refused step answers 400 with the Chinese messages naming what is missing; a stale
``version`` answers 400 too ("本案刚被其他人更新…").
"""

from __future__ import annotations

from django import forms as dj_forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from anxin.cases import documents, forms, permissions, services, views, workflow
from anxin.cases.filters import CaseFilter, ReportFilter
from anxin.cases.models import (
    REPORT_FIELDS,
    BullyingCase,
    BureauReport,
    CaseEvent,
    CaseParty,
    Committee,
    CommitteeMember,
    LegalParameterVersion,
    PartyRole,
    Source,
)
from anxin.core import audit, policy
from anxin.core.api import PlainRows, ScopedReadOnlyViewSet, unshown_secrets
from anxin.core.api_auth import PolicyPermission
from anxin.core.schema import OneObjectSchema

# --- serializers -------------------------------------------------------------------------------


class CaseListSerializer(PlainRows, serializers.ModelSerializer):
    """A row of the register (台账): no names, no free text."""

    school_name = serializers.CharField(source="school.name", read_only=True)
    # codes as plain strings (their meanings are in the *_display fields and the law tables)
    source = serializers.CharField(read_only=True)
    state = serializers.CharField(read_only=True)
    result = serializers.CharField(read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    is_late = serializers.BooleanField(source="is_late_now", read_only=True)

    class Meta:
        model = BullyingCase
        fields = [
            "id",
            "number",
            "county",
            "school",
            "school_name",
            "source",
            "discovered_at",
            "occurred_at",
            "place",
            "behaviour_types",
            "state",
            "state_display",
            "result",
            "is_public_opinion",
            "report_required",
            "report_due_at",
            "first_reported_at",
            "is_late",
            "police_reported_at",
            "closed_at",
            "version",
        ]


class PartySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True, help_text="victim / alleged_bully / witness / bystander")
    klass = serializers.CharField(source="student.klass", read_only=True, default="")

    class Meta:
        model = CaseParty
        fields = ["id", "role", "student", "name", "klass", "outsider_note"]


class CaseSerializer(CaseListSerializer):
    parties = PartySerializer(many=True, read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "summary",
            "cause",
            "process",
            "injuries",
            "owner",
            "first_responder",
            "report_id",
            "concern_id",
            "close_kind",
            "close_reason",
            "parties",
        ]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = ["seq", "at", "actor", "kind", "summary", "data", "corrects", "prev_hash", "hash"]


class ReportSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="first 首报 / follow 续报 / final 终报")
    case_number = serializers.CharField(source="case.number", read_only=True)
    title_suffix = serializers.CharField(read_only=True)
    diff = serializers.ListField(source="diff_shown", child=serializers.DictField(), read_only=True)
    signer_name = serializers.CharField(read_only=True, help_text="签发人：在系统中签发的人")

    class Meta:
        model = BureauReport
        fields = [
            "id",
            "case",
            "case_number",
            "kind",
            "seq",
            "title_suffix",
            *[f for f, _l in REPORT_FIELDS],
            "annex",
            "previous",
            "diff",
            "signed_off_by",
            "signed_off_at",
            "signer_name",
            "submitted_at",
            "is_late",
            "acknowledged_at",
            "ack_note",
        ]


class MemberSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="principal / staff / parent / outside / student")

    class Meta:
        model = CommitteeMember
        fields = ["id", "kind", "name", "title", "is_chair", "joined_on", "left_on"]


class CommitteeSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Committee
        fields = ["id", "school", "name", "established_on", "members"]


StepResult = inline_serializer(
    "CaseStepResult",
    {
        "id": serializers.IntegerField(allow_null=True, help_text="the record created or changed"),
        "case": CaseListSerializer(),
    },
)


def form_serializer(form_class, name: str) -> type[serializers.Serializer]:
    """A request serializer documenting the fields of a page's form (the API validates with
    the form itself, so both accept exactly the same input)."""
    fields = {}
    probe = form_class.__new__(form_class)
    declared = getattr(probe, "base_fields", {})
    for fname, f in declared.items():
        kw = {"required": f.required, "help_text": str(f.help_text or f.label or "")}
        if isinstance(f, dj_forms.ModelMultipleChoiceField):
            fields[fname] = serializers.ListField(child=serializers.IntegerField(), **kw)
        elif isinstance(f, dj_forms.ModelChoiceField):
            fields[fname] = serializers.IntegerField(**kw)
        elif isinstance(f, dj_forms.MultipleChoiceField):
            fields[fname] = serializers.ListField(child=serializers.CharField(), **kw)
        elif isinstance(f, dj_forms.TypedChoiceField | dj_forms.ChoiceField):
            fields[fname] = serializers.CharField(**kw)
        elif isinstance(f, dj_forms.BooleanField):
            fields[fname] = serializers.BooleanField(required=False, help_text=kw["help_text"])
        elif isinstance(f, dj_forms.IntegerField):
            fields[fname] = serializers.IntegerField(**kw)
        elif isinstance(f, dj_forms.DateTimeField):
            fields[fname] = serializers.DateTimeField(**kw)
        elif isinstance(f, dj_forms.DateField):
            fields[fname] = serializers.DateField(**kw)
        elif isinstance(f, dj_forms.FileField):
            fields[fname] = serializers.FileField(**kw)
        else:
            fields[fname] = serializers.CharField(**kw)
    return type(name, (serializers.Serializer,), fields)


def _camel(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("_"))


# --- permissions -------------------------------------------------------------------------------


class CasePermission(PolicyPermission):
    """The policy permission, with the case rules for objects (party-based scopes) and any of
    a step's rights."""

    def has_permission(self, request, view):
        rights = getattr(view, "step_rights", lambda: None)()
        if rights is None:
            return super().has_permission(request, view)
        return bool(
            request.user
            and request.user.is_authenticated
            and any(policy.can(request.user, f"cases.bullyingcase.{r}") for r in rights)
        )

    def has_object_permission(self, request, view, obj):
        return True  # the queryset is already restricted by the action's rights


def _data(request):
    """Form data from a JSON or a form/multipart body (lists stay lists)."""
    from django.http import QueryDict

    if isinstance(request.data, QueryDict):
        return request.data
    qd = QueryDict(mutable=True)
    for k, v in request.data.items():
        if isinstance(v, list):
            qd.setlist(k, [str(x) for x in v])
        elif isinstance(v, bool):
            if v:
                qd[k] = "on"
        elif v is not None:
            qd[k] = str(v)
    return qd


# --- cases -------------------------------------------------------------------------------------


class CaseViewSet(ScopedReadOnlyViewSet):
    """Incident cases, scoped by the case rules; every step through the services."""

    queryset = BullyingCase.objects.all()
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    permission_classes = [CasePermission]
    sensitive_retrieve = True
    select_related = ("school",)
    cache_counts = True  # the list's total: core.api_auth.Pagination
    policy_actions = {"create": "open", "advance": "view", "timeline": "view", "list": "view"}
    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]

    def step_rights(self):
        """The rights any of which opens this action (a step's rights; the register or the
        cases one may open for the list); None for the policy_actions map."""
        name = self.action or ""
        if name == "list":
            return ("register", "view")
        st = views.STEPS.get(name[5:]) if name.startswith("step_") else None
        return st.rights if st else None

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseSerializer

    def get_queryset(self):
        user = self.request.user
        rights = self.step_rights()
        if rights:
            qs = BullyingCase.objects.none()
            for r in rights:
                qs = qs | BullyingCase.objects.restrict(user, r)
        else:
            qs = BullyingCase.objects.restrict(user, "view")
        if self.action == "list":  # (the register: no narratives, left undecrypted)
            qs = qs.defer(*unshown_secrets(BullyingCase, CaseListSerializer))
        return qs.select_related("school")

    @extend_schema(
        request=inline_serializer(
            "CaseOpen",
            {
                "school": serializers.IntegerField(),
                "source": serializers.CharField(
                    help_text=" / ".join(f"{v} {lbl}" for v, lbl in Source.choices)
                ),
                "discovered_at": serializers.DateTimeField(),
                "occurred_at": serializers.DateTimeField(required=False, allow_null=True),
                "place": serializers.CharField(required=False, allow_blank=True),
                "summary": serializers.CharField(),
                "behaviour_types": serializers.ListField(child=serializers.CharField(), required=False),
                "is_public_opinion": serializers.BooleanField(required=False),
                "suspected_serious": serializers.BooleanField(required=False),
                "students": serializers.ListField(
                    child=inline_serializer(
                        "CaseOpenStudent",
                        {
                            "student": serializers.IntegerField(),
                            "name": serializers.CharField(
                                required=False,
                                help_text="学生的完整姓名；外校学生必填（与按姓名查找的规则相同）",
                            ),
                            "role": serializers.CharField(
                                help_text=" / ".join(f"{v} {lbl}" for v, lbl in PartyRole.choices)
                            ),
                        },
                    ),
                    required=False,
                ),
            },
        ),
        responses={201: CaseSerializer},
    )
    def create(self, request):
        from anxin.org.models import School
        from anxin.roster import lookup

        data = request.data
        ids = policy.schools_for(request.user, "cases.bullyingcase.open") or set()
        school = School.objects.filter(pk=data.get("school") or 0, pk__in=ids).first()
        if school is None:
            raise NotFound()
        form = forms.OpenCaseForm(_data(request), schools=School.objects.filter(pk=school.pk))
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        students = []
        for row in data.get("students") or []:
            row = row if isinstance(row, dict) else {}
            st = lookup.resolve(
                request.user,
                row.get("student"),
                county_id=school.county_id,
                school_id=school.pk,
                name=str(row.get("name") or ""),
                purpose="cases.open",
            )
            if st is None:
                return Response(
                    {"students": [_("没有找到该学生。外校学生须同时填写完整姓名（name）。")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            students.append((st, row.get("role")))
        d = form.cleaned_data
        case = services.open_case(
            by=request.user,
            school=school,
            source=d["source"],
            discovered_at=d["discovered_at"],
            occurred_at=d["occurred_at"],
            place=d["place"],
            summary=d["summary"],
            behaviour_types=d["behaviour_types"],
            is_public_opinion=d["is_public_opinion"],
            suspected_serious=d["suspected_serious"],
            students=students,
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=inline_serializer(
            "CaseAdvance",
            {
                "name": serializers.CharField(
                    help_text=" / ".join(f"{n} {t.label}" for n, t in workflow.TRANSITIONS.items())
                ),
                "version": serializers.IntegerField(required=False),
                "reason": serializers.CharField(required=False),
            },
        ),
        responses={200: CaseSerializer},
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        case = self.get_object()
        name = request.data.get("name")
        t = workflow.TRANSITIONS.get(name)
        if t is None:
            return Response({"name": ["未知的操作"]}, status=status.HTTP_400_BAD_REQUEST)
        if not permissions.can_case(request.user, case, t.action):
            raise PermissionDenied()
        services.advance(
            case,
            name,
            by=request.user,
            expected_version=request.data.get("version"),
            reason=request.data.get("reason", ""),
        )
        return Response(CaseSerializer(case).data)

    # one case's events, not a paginated, filterable list (the schema said so: found by the fuzzer)
    @extend_schema(responses={200: EventSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        case = self.get_object()
        return Response(EventSerializer(case.events.order_by("seq"), many=True).data)


def _make_step_action(st: views.Step):
    def run(self, request, pk=None):
        case = self.get_object()
        kwargs = {"case": case, "user": request.user}
        if st.form_kwargs:
            kwargs.update(st.form_kwargs(request, case))
        # party: the form's student field applies roster.lookup (own scope, or another school's
        # student with the exact ``student_name``); anything else reads as not found
        form = st.form(_data(request), request.FILES or None, **kwargs)
        if not form.is_valid():
            return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
        obj = st.run(request, case, form.cleaned_data, form)
        case.refresh_from_db()
        return Response({"id": getattr(obj, "pk", None), "case": CaseListSerializer(case).data})

    run.__name__ = f"step_{st.slug}"
    run.__doc__ = f"{st.title}（{st.help or '与页面相同的表单和规则'}）"
    run = action(
        detail=True,
        methods=["post"],
        url_path=st.slug.replace("_", "-"),
        parser_classes=[parsers.MultiPartParser, parsers.FormParser]
        if st.multipart
        else [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser],
    )(run)
    # after action(), as a decorator above @action would be: action() replaces the
    # function's ``kwargs``, where extend_schema keeps its annotation, so the other way
    # round the schema published the case itself instead of {id, case} (found by the fuzzer)
    return extend_schema(
        request=form_serializer(st.form, f"CaseStep{_camel(st.slug)}"),
        responses={200: StepResult},
        summary=str(st.title),
    )(run)


for _st in views.STEPS.values():
    setattr(CaseViewSet, f"step_{_st.slug}", _make_step_action(_st))


# --- reports to the bureau -----------------------------------------------------------------------


class ReportViewSet(ScopedReadOnlyViewSet):
    """Reports to the bureau (LAW 7): the bureau's inbox, a school's reports and drafts."""

    queryset = BureauReport.objects.all()
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    permission_classes = [CasePermission]
    policy_model = BullyingCase
    policy_actions = {
        "edit": "report_draft",
        "submit": "report_submit",
        # the service decides (403 for a deputy the principal did not designate)
        "sign_off": "view",
        "acknowledge": "acknowledge",
        "docx": "view",
        "list": "view",
        "retrieve": "view",
    }

    def get_queryset(self):
        return _report_queryset(self.request.user, (self.policy_actions or {}).get(self.action, "view"))

    @extend_schema(
        request=form_serializer(forms.ReportForm, "CaseReportEdit"), responses={200: ReportSerializer}
    )
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        report = self.get_object()
        form = forms.ReportForm(_data(request), report=report)
        if not form.is_valid():
            return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
        values = {k: v for k, v in form.cleaned_data.items() if k != "version" and k in request.data}
        report = services.update_report(report, by=request.user, **values)
        return Response(ReportSerializer(report).data)

    @extend_schema(request=None, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        """签发: the principal, or the deputy the school designated, signs the report as it stands."""
        report = services.sign_off(request.user, self.get_object())
        return Response(ReportSerializer(report).data)

    @extend_schema(request=None, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = services.submit_report(self.get_object(), by=request.user)
        return Response(ReportSerializer(report).data)

    @extend_schema(
        request=inline_serializer("CaseReportAck", {"note": serializers.CharField(required=False)}),
        responses={200: ReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        report = services.acknowledge_report(
            self.get_object(), by=request.user, note=request.data.get("note", "")
        )
        return Response(ReportSerializer(report).data)

    @extend_schema(responses={(200, documents.DOCX): bytes})
    @action(detail=True, methods=["get"])
    def docx(self, request, pk=None):
        report = self.get_object()
        audit.record("export", report, data={"format": "docx", "via": "api"})
        response = HttpResponse(documents.report_docx(report), content_type=documents.DOCX)
        response["Content-Disposition"] = "attachment; filename=report.docx"
        return response


def _report_queryset(user, action: str):
    cases = BullyingCase.objects.restrict(user, action).values("pk")
    drafting = BullyingCase.objects.restrict(user, "report_draft").values("pk")
    return (
        BureauReport.objects.filter(case__in=cases)
        .filter(Q(submitted_at__isnull=False) | Q(case__in=drafting))
        .select_related("case__school", "case__county", "previous", "signed_off_by")
        .order_by("-id")
    )


class CommitteeViewSet(ScopedReadOnlyViewSet):
    """The schools' 学生欺凌治理委员会 (LAW 4), with their members."""

    queryset = Committee.objects.prefetch_related("members")
    serializer_class = CommitteeSerializer


class LegalParameterVersionIn(serializers.Serializer):
    effective_from = serializers.DateField()
    reason = serializers.CharField(max_length=300)
    values = serializers.DictField()


class LegalParameterVersionOut(serializers.Serializer):
    id = serializers.IntegerField()
    effective_from = serializers.DateField()
    values = serializers.DictField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class LegalParameterRowOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    value = serializers.JSONField()
    default = serializers.JSONField()
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    choices = serializers.ListField(child=serializers.CharField())
    rule = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)
    source_text = serializers.CharField(allow_blank=True)


class LegalParametersOut(serializers.Serializer):
    county = serializers.IntegerField(allow_null=True)
    in_force = serializers.IntegerField(allow_null=True)
    parameters = LegalParameterRowOut(many=True)
    versions = LegalParameterVersionOut(many=True)


class LegalParameterViewSet(viewsets.GenericViewSet):
    """The county's legal parameters (R-Q-7): ``GET`` the values in force today with their
    defaults, ranges and legal sources, and the versions; ``POST`` a new version (the county's
    administrator): ``{"effective_from": "2027-01-01", "reason": "…", "values": {"INVESTIGATION_DAYS": 7}}``."""

    queryset = LegalParameterVersion.objects.all()
    permission_classes = [PolicyPermission]
    serializer_class = LegalParameterVersionIn
    pagination_class = None
    schema = OneObjectSchema()

    def _version(self, v) -> dict:
        return {
            "id": v.pk,
            "effective_from": v.effective_from.isoformat(),
            "values": v.values,
            "reason": v.reason,
            "created_at": v.created_at.isoformat(),
        }

    @extend_schema(responses={200: LegalParametersOut}, filters=False)
    def list(self, request):
        from anxin.cases import params

        county_id = request.user.county_id
        in_force = LegalParameterVersion.in_force(county_id)
        return Response(
            {
                "county": county_id,
                "in_force": getattr(in_force, "pk", None),
                "parameters": [r.as_dict() for r in params.rows(county_id)],
                "versions": [self._version(v) for v in params.versions(county_id)[:50]],
            }
        )

    @extend_schema(request=LegalParameterVersionIn, responses={201: LegalParameterVersionOut})
    def create(self, request):
        from anxin.cases import params

        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        try:
            v = params.set_version(
                by=request.user,
                county_id=request.user.county_id,
                effective_from=d["effective_from"],
                reason=d["reason"],
                values=dict(d["values"]),
            )
        except dj_forms.ValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self._version(v), status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("case-legal-parameters", LegalParameterViewSet, basename="case-legal-parameter")
    router.register("cases", CaseViewSet, basename="case")
    router.register("case-reports", ReportViewSet, basename="case-report")
    router.register("case-committees", CommitteeViewSet, basename="case-committee")
