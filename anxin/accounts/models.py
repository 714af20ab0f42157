"""Accounts, posts (memberships) and cross-scope access grants."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core import clock
from anxin.core.audit import audited
from anxin.core.models import Scope, ScopedManager, ScopedQuerySet
from anxin.core.roles import ROLE_SCOPE, Role, ScopeLevel
from anxin.core.validators import validate_phone


def _current_posts_only(q: Q, path: str, current: Q) -> Q:
    """``q`` with each condition on ``path`` (a school of the user's posts) narrowed to posts
    not ended. Both conditions go into one Q, so one filter() call puts them on the same
    membership row (the same join)."""
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_current_posts_only(child, path, current))
        elif child[0] == path:
            children.append(Q(child) & current)
        else:
            children.append(child)
    return Q(*children, _connector=q.connector, _negated=q.negated)


class AnxinUserQuerySet(ScopedQuerySet):
    def restrict(self, user, action: str = "view"):
        """A school sees the accounts holding a post there *now*: staff whose post ended are
        no longer the school's (their later posts elsewhere are none of its business)."""
        from anxin.core import policy

        q = policy.scope_q(user, self.model, action)
        if q is None:
            return self.none()
        today = clock.today()
        current = Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gt=today)
        return self.filter(_current_posts_only(q, self.model.scope.school, current)).distinct()


class AnxinUserManager(UserManager.from_queryset(AnxinUserQuerySet)):
    pass


@audited(exclude=("last_login", "password", "date_joined"))
class User(AbstractUser):
    """A staff account. A person holds posts through Membership rows, never ``is_staff``."""

    real_name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(
        _("手机号"), max_length=20, null=True, blank=True, unique=True, validators=[validate_phone]
    )
    county = models.ForeignKey(
        "org.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属县区"),
    )
    must_change_password = models.BooleanField(_("须修改初始密码"), default=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = AnxinUserManager()
    # Staff are seen through their posts: a school sees the accounts holding posts there.
    scope = Scope(county="county_id", school="memberships__school_id")

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        ordering = ["real_name", "username"]

    def __str__(self) -> str:
        return self.real_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def save(self, *args, **kwargs):
        # ``_password`` is set by set_password() until the next save: whichever code path set
        # it (self-service, reset, staff import, a management command), the new hash goes into
        # the history that blocks reuse (LAW 21). A hash upgrade at login is not a change.
        changed = self._password is not None
        super().save(*args, **kwargs)
        if changed:
            PasswordHistory.remember(self)


class MembershipQuerySet(ScopedQuerySet):
    def active(self, today=None):
        """Posts in force on ``today`` (default: today)."""
        today = today or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today), started_on__lte=today)


@audited()
class Membership(models.Model):
    """A post: one person may hold several (R-ORG-2). Its scope is a county, a school or a
    class, as the role requires (core.roles.ROLE_SCOPE)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("账号")
    )
    role = models.CharField(_("岗位角色"), max_length=32, choices=Role.choices)
    title = models.CharField(_("职务名称"), max_length=60, blank=True, help_text=_("如：初二年级组长"))
    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey(
        "org.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("学校"),
    )
    klass = models.ForeignKey(
        "org.SchoolClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("班级"),
    )
    unit = models.CharField(
        _("所在单位"), max_length=80, blank=True, help_text=_("公安、检察、法院联络员的单位")
    )
    started_on = models.DateField(_("任职日期"), default=timezone.localdate)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = ScopedManager.from_queryset(MembershipQuerySet)()
    scope = Scope(county="county_id", school="school_id", class_sees_school=True)
    policy_resource = "accounts.user"

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        indexes = [
            # policy.memberships(): a user's active posts, loaded on every request
            models.Index(fields=["user", "ended_on"], name="membership_user_idx"),
            # "who holds which post at this school" (responsibility matrix, staff lists)
            models.Index(fields=["school", "role"], name="membership_school_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.klass_id:
            return f"class:{self.klass_id}"
        if self.school_id:
            return f"school:{self.school_id}"
        return f"county:{self.county_id}"

    def clean(self):
        level = ROLE_SCOPE.get(self.role)
        if level == ScopeLevel.CLASS and not self.klass_id:
            raise ValidationError(_("该岗位须指定班级。"))
        if level in (ScopeLevel.SCHOOL, ScopeLevel.CLASS) and not self.school_id:
            raise ValidationError(_("该岗位须指定学校。"))
        if level == ScopeLevel.COUNTY and (self.school_id or self.klass_id):
            raise ValidationError(_("县级岗位不属于某一学校。"))
        if self.klass_id and self.klass.school_id != self.school_id:
            raise ValidationError(_("班级不属于所选学校。"))
        if self.school_id and self.school.county_id != self.county_id:
            raise ValidationError(_("学校不属于所选县区。"))


class RegionPostQuerySet(models.QuerySet):
    def active(self):
        today = timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today), started_on__lte=today)


@audited()
class RegionPost(models.Model):
    """A post at a city or province education department (市教育局、省教育厅): it reads the
    overview of the region's counties, counts only, and nothing else. Its holder has no county
    and no Membership, so every county and school page denies them by default."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="region_posts", verbose_name=_("账号")
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="posts", verbose_name=_("地区")
    )
    title = models.CharField(_("职务名称"), max_length=60, blank=True, help_text=_("如：基础教育处"))
    started_on = models.DateField(_("任职日期"), default=timezone.localdate)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = RegionPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("上级部门岗位")
        verbose_name_plural = _("上级部门岗位")
        indexes = [models.Index(fields=["user", "ended_on"], name="region_post_user_idx")]

    def __str__(self) -> str:
        return f"{self.region} · {self.title or _('上级部门岗位')}"

    def clean(self):
        if self.user_id and (self.user.county_id or self.user.memberships.exists()):
            raise ValidationError(_("上级部门岗位须用单独的账号：该账号已属于某县区。"))


class AccessGrantQuerySet(ScopedQuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(status=AccessGrant.Status.APPROVED, starts_at__lte=at, expires_at__gt=at)


@audited()
class AccessGrant(models.Model):
    """Access outside one's own scope: read-only, to one school, with a reason and an expiry,
    approved by that school's safety leader or by bureau safety staff (LAW 18)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        REVOKED = "revoked", _("已撤销")

    grantee = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="access_grants", verbose_name=_("申请人")
    )
    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("访问学校")
    )
    reason = models.TextField(_("理由"), max_length=500)
    starts_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = ScopedManager.from_queryset(AccessGrantQuerySet)()
    scope = Scope(county="county_id", school="school_id")

    class Meta:
        verbose_name = _("跨范围访问审批")
        verbose_name_plural = _("跨范围访问审批")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["grantee", "status", "expires_at"], name="grant_active_idx")]


class PasswordHistory(models.Model):
    """Hashes of an account's recent passwords (LAW 21): a new password may not repeat one of
    the last ``KEEP``. Only hashes are kept; never audited, never shown."""

    KEEP = 5

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("账号")
    )
    password = models.CharField(_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user_idx")]

    @classmethod
    def remember(cls, user) -> None:
        """Keep the hash the account has just been given; only the last KEEP stay."""
        cls.objects.create(user=user, password=user.password)
        old = cls.objects.filter(user=user).order_by("-created_at", "-pk")[cls.KEEP :]
        cls.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()


class ApiToken(models.Model):
    """A user's API token (``Authorization: Token <key>``). Only the SHA-256 of the key is
    stored: the key is 40 random hex characters (160 bits), shown once when made, so a stolen
    database does not yield working tokens. ``prefix`` lets the holder recognise it."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="api_token", verbose_name=_("账号")
    )
    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    created = models.DateTimeField(_("建立时间"), default=timezone.now)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    @staticmethod
    def digest_of(key: str) -> str:
        import hashlib

        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user) -> tuple[ApiToken, str]:
        """A new token for ``user`` (the caller removes the old one); returns it and its key."""
        import secrets

        key = secrets.token_hex(20)
        return cls.objects.create(user=user, digest=cls.digest_of(key), prefix=key[:6]), key
