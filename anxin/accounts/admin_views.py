"""Account administration, cross-scope access approvals (LAW 18) and the user's API token.

Thin views: they find the object through core.access (scope, 404, audited denial), parse a
form and call anxin.accounts.services.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.accounts import services
from anxin.accounts.backends import lock_state
from anxin.accounts.filters import AccessGrantFilter, UserFilter
from anxin.accounts.forms import GrantDecisionForm, GrantRequestForm, MembershipForm, UserCreateForm
from anxin.accounts.models import AccessGrant, Membership, User
from anxin.core import access, clock, policy
from anxin.core.editing import ServiceFormView, form_errors
from anxin.core.listing import ScopedListView, drop_single_choices

CHANGE = "accounts.user.change"
GRANT_PERMS = ("accounts.accessgrant.request", "accounts.accessgrant.approve", "accounts.accessgrant.view")


def _message_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _active_posts(viewer):
    """Current posts the viewer may see: a principal sees a teacher's post at their own school,
    not the teacher's posts at other schools."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.restrict(viewer, "view")
        .active()
        .select_related("school", "klass__grade")
        .order_by("role"),
        to_attr="active_posts",
    )


def post_label(m: Membership) -> str:
    where = ""
    if m.klass_id:
        where = f"{m.school.name} {m.klass.grade.name}{m.klass.name}"
    elif m.school_id:
        where = m.school.name
    label = m.get_role_display()
    return f"{label}（{where}）" if where else label


# --- accounts ------------------------------------------------------------------------------------


class UserListView(ScopedListView):
    """Accounts and their posts: the bureau's administrator sees the county, a principal or
    safety leader the staff of their school."""

    model = User
    filterset_class = UserFilter
    template_name = "accounts/user_list.html"
    title = gettext_lazy("账号与岗位")
    export_name = "账号与岗位"
    select_related = ("county",)
    columns = [
        (gettext_lazy("姓名"), "real_name"),
        (gettext_lazy("用户名"), "username"),
        (gettext_lazy("手机号"), "phone"),
        (gettext_lazy("所属县区"), "county.name"),
        (gettext_lazy("岗位"), "posts"),
        (gettext_lazy("在用"), "is_active"),
        (gettext_lazy("须改初始密码"), "must_change_password"),
        (gettext_lazy("最近登录"), "last_login_local"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .prefetch_related(_active_posts(self.request.user))
            .order_by("real_name", "username")
        )

    def posts(self, obj) -> str:
        return "；".join(post_label(m) for m in obj.active_posts)

    def last_login_local(self, obj) -> str:
        return obj.last_login.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if obj.last_login else ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for u in ctx["object_list"]:
            u.posts_text = self.posts(u)
        ctx["can_create"] = policy.can(self.request.user, CHANGE)
        return ctx


def _admin_counties(user):
    County = apps.get_model("org", "County")

    allowed = policy.roles_with(CHANGE)
    ids = {m.county_id for m in policy.memberships(user) if m.role in allowed}
    return County.objects.filter(pk__in=ids).order_by("code")


class UserCreateView(ServiceFormView):
    """新建账号 in a county the user administers; the initial password is shown once."""

    permission = CHANGE
    form_class = UserCreateForm
    template_name = "accounts/user_create.html"
    title = gettext_lazy("新建账号")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "counties": _admin_counties(self.request.user)}

    def save(self, form):
        d = form.cleaned_data
        return services.create_user(self.request.user, d["username"], d["real_name"], d["phone"], d["county"])

    def form_saved(self, result):
        user, password = result
        # The initial password is shown on this one response and never again.
        return render(
            self.request,
            "accounts/password_shown.html",
            {"account": user, "password": password, "created": True, "title": _("账号已建立")},
        )


user_create = UserCreateView.as_view()


def _detail(request, account: User, form=None, status: int = 200):
    by = request.user
    can_change = policy.allows(by, account, "change")
    posts = (
        Membership.objects.restrict(by, "view")
        .filter(user=account)
        .select_related("school", "klass__grade")
        .order_by("ended_on", "-started_on", "pk")
    )
    today = clock.today()
    rows = [
        {"m": m, "label": post_label(m), "active": m.ended_on is None or m.ended_on > today} for m in posts
    ]
    if can_change and form is None:
        form = MembershipForm(county_id=account.county_id)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "posts": rows,
            "lock": lock_state(account),
            "can_change": can_change,
            "is_self": account.pk == by.pk,
            "form": form if can_change else None,
            "title": str(account),
        },
        status=status,
    )


@login_required
def user_detail(request, pk: int):
    account = access.get_for_user(request, User, pk, "view")
    return _detail(request, account)


def _account_for_change(request, pk: int) -> User:
    """Visible (else 404) and changeable (else 403), both audited."""
    account = access.get_for_user(request, User, pk, "view")
    access.check(request, account, "change")
    return account


@require_POST
@login_required
def membership_add(request, pk: int):
    account = _account_for_change(request, pk)
    form = MembershipForm(request.POST, county_id=account.county_id)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_membership(
                request.user,
                account,
                d["role"],
                school=d["school"],
                klass=d["klass"],
                title=d["title"],
                unit=d["unit"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已分配岗位。"))
            return redirect("accounts:user_detail", pk=account.pk)
    return _detail(request, account, form=form, status=400)


@require_POST
@login_required
def membership_end(request, pk: int):
    membership = access.get_for_user(request, Membership, pk, "view")
    access.check(request, membership, "change")
    try:
        services.end_membership(request.user, membership)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, _("已办理离任。"))
    return redirect("accounts:user_detail", pk=membership.user_id)


@require_POST
@login_required
def user_reset_password(request, pk: int):
    account = _account_for_change(request, pk)
    password = services.reset_password(request.user, account)
    return render(
        request,
        "accounts/password_shown.html",
        {"account": account, "password": password, "created": False, "title": _("密码已重置")},
    )


@require_POST
@login_required
def user_unlock(request, pk: int):
    account = _account_for_change(request, pk)
    services.unlock(request.user, account)
    messages.success(request, _("已解除登录锁定。"))
    return redirect("accounts:user_detail", pk=account.pk)


@require_POST
@login_required
def user_deactivate(request, pk: int):
    account = _account_for_change(request, pk)
    try:
        services.deactivate(request.user, account)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, _("账号已停用。"))
    return redirect("accounts:user_detail", pk=account.pk)


# --- access outside one's scope (LAW 18) ---------------------------------------------------------


@login_required
def grant_list(request):
    user = request.user
    if not any(policy.can(user, p) for p in GRANT_PERMS):
        access.deny(request, GRANT_PERMS[0])
    ctx: dict = {"title": _("跨范围访问"), "can_request": policy.can(user, GRANT_PERMS[0])}
    mine = AccessGrant.objects.filter(grantee=user).select_related("school", "decided_by")[:50]
    ctx["mine"] = [(g, services.can_revoke(user, g)) for g in mine]
    if policy.can(user, "accounts.accessgrant.approve"):
        ctx["pending"] = list(
            AccessGrant.objects.restrict(user, "approve")
            .filter(status=AccessGrant.Status.PENDING)
            .exclude(grantee=user)
            .select_related("grantee", "school")
            .order_by("created_at")[:100]
        )
        ctx["decision_form"] = GrantDecisionForm()
    if policy.can(user, "accounts.accessgrant.view"):
        qs = AccessGrant.objects.restrict(user, "view").select_related("grantee", "school", "decided_by")
        fs = AccessGrantFilter(request.GET or None, queryset=qs, request=request)
        drop_single_choices(fs, user)
        qs = fs.qs if fs.is_bound and fs.is_valid() else qs
        page = Paginator(qs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        ctx.update(
            filter=fs,
            page_obj=page,
            all_grants=[(g, services.can_revoke(user, g)) for g in page.object_list],
            query=query.urlencode(),
        )
    return render(request, "accounts/grant_list.html", ctx)


def _requestable_schools(user):
    School = apps.get_model("org", "School")

    own = {m.school_id for m in policy.memberships(user) if m.school_id}
    return School.objects.filter(county_id=user.county_id).exclude(pk__in=own).order_by("town", "name")


class GrantRequestView(ServiceFormView):
    """申请跨范围访问: a school outside one's own, a reason, a number of days (LAW 18)."""

    permission = "accounts.accessgrant.request"
    form_class = GrantRequestForm
    template_name = "accounts/grant_request.html"
    title = gettext_lazy("申请跨范围访问")
    success_message = gettext_lazy("申请已提交，待该校分管安全副校长或教体局安全股审批。")

    def get_form_kwargs(self):
        from django.conf import settings

        return {
            **super().get_form_kwargs(),
            "schools": _requestable_schools(self.request.user),
            "max_days": settings.ANXIN_ACCESS_GRANT_MAX_DAYS,
        }

    def save(self, form):
        d = form.cleaned_data
        return services.request_grant(self.request.user, d["school"], d["reason"], d["days"])

    def get_success_url(self, result):
        return reverse("accounts:grant_list")


grant_request = GrantRequestView.as_view()


@require_POST
@login_required
def grant_decide(request, pk: int):
    grant = access.get_for_user(request, AccessGrant, pk, "approve")
    if grant.grantee_id == request.user.pk:
        access.deny(request, "accounts.accessgrant.approve", "accounts.accessgrant", grant.pk)
    form = GrantDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
        return redirect("accounts:grant_list")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_grant(request.user, grant, approve, form.cleaned_data["note"])
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, _("已批准。") if approve else _("已驳回。"))
    return redirect("accounts:grant_list")


@require_POST
@login_required
def grant_revoke(request, pk: int):
    grant = AccessGrant.objects.filter(pk=pk, grantee=request.user).first()
    if grant is None:
        grant = access.get_for_user(request, AccessGrant, pk, "approve")
    try:
        services.revoke_grant(request.user, grant, request.POST.get("note", ""))
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, _("已撤销。"))
    return redirect("accounts:grant_list")


# --- the user's own API token ---------------------------------------------------------------------


@login_required
def token(request):
    """Create, rotate or revoke one's own API token. The key is shown once, when made; the
    session middleware has already required the second factor where the role needs it."""
    from anxin.accounts.models import ApiToken

    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rotate":
            new_key = services.rotate_token(request.user)[1]
        elif action == "revoke":
            if services.revoke_token(request.user):
                messages.success(request, _("令牌已作废。"))
            return redirect("accounts:token")
    current = ApiToken.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/token.html",
        {"token": current, "new_key": new_key, "title": _("API 令牌")},
    )
