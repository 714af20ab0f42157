"""Experience articles (经验材料): the register, write and revise, submit, the bureau's return
or acceptance with comments (history kept), and the booklet (selection, order, .docx, PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.campaigns import booklet as bk
from anxin.campaigns import forms as cf
from anxin.campaigns import services
from anxin.campaigns.filters import ArticleFilter
from anxin.campaigns.models import Article, ArticleState, Campaign
from anxin.campaigns.views._common import school_in_view
from anxin.core import audit, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import ServiceFormView
from anxin.core.listing import ScopedListView

__all__ = [
    "ArticleListView",
    "ArticleCreateView",
    "ArticleEditView",
    "article_detail",
    "article_submit",
    "article_review",
    "booklet_page",
    "booklet_docx",
    "booklet_pdf",
]


class ArticleListView(ScopedListView):
    model = Article
    filterset_class = ArticleFilter
    template_name = "campaigns/article_list.html"
    title = gettext_lazy("经验材料")
    select_related = ("school", "campaign", "author")
    columns = [
        (gettext_lazy("专项行动"), "campaign.title"),
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("标题"), "title"),
        (gettext_lazy("状态"), "state"),
        (gettext_lazy("提交时间"), "submitted_at"),
        (gettext_lazy("采用时间"), "accepted_at"),
        (gettext_lazy("汇编顺序"), "booklet_order"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_write"] = policy.can(self.request.user, "campaigns.article.change")
        return ctx


def _campaigns(user):
    return Campaign.objects.restrict(user, "view").order_by("-created_at")


class ArticleCreateView(ServiceFormView):
    permission = "campaigns.article.change"
    form_class = cf.ArticleForm
    template_name = "campaigns/article_form.html"
    title = gettext_lazy("撰写经验材料")
    help_text = gettext_lazy("先保存为草稿，检查无误后在材料页面“提交”给教体局综合办。")
    success_message = gettext_lazy("已保存草稿“%(obj)s”。")
    success_url_name = "campaigns:article_detail"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and policy.can(request.user, "campaigns.article.change"):
            self.school = school_in_view(request, "campaigns.article.change")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        return self.form_class(campaigns=_campaigns(self.request.user), **self.get_form_kwargs())

    def get_initial(self):
        c = self.request.GET.get("campaign")
        return {"campaign": c} if c else {}

    def save(self, form):
        if self.school is None:
            raise ValidationError(_("请先在顶部选择学校。"))
        d = form.cleaned_data
        return services.save_article(
            by=self.request.user,
            campaign=d["campaign"],
            school=self.school,
            title=d["title"],
            body=d["body"],
            files=d["files"],
        )


class ArticleEditView(ServiceFormView):
    model = Article
    form_class = cf.ArticleForm
    template_name = "campaigns/article_form.html"
    title = gettext_lazy("修改经验材料")
    success_message = gettext_lazy("已保存“%(obj)s”。")
    success_url_name = "campaigns:article_detail"

    def get_form(self):
        return self.form_class(with_campaign=False, **self.get_form_kwargs())

    def get_initial(self):
        return {"title": self.object.title, "body": services.editable_text(self.object.body)}

    def save(self, form):
        d = form.cleaned_data
        return services.save_article(
            by=self.request.user,
            campaign=self.object.campaign,
            school=self.object.school,
            title=d["title"],
            body=d["body"],
            files=d["files"],
            article=self.object,
        )

    def get_cancel_url(self):
        return reverse("campaigns:article_detail", args=[self.object.pk])


@login_required
def article_detail(request, pk):
    article = get_for_user(
        request,
        Article.objects.model,
        pk,
        queryset=Article.objects.select_related("school", "campaign", "author"),
    )
    audit.record("read", article, data={"view": "campaigns:article_detail"})
    return render(
        request,
        "campaigns/article_detail.html",
        {
            "article": article,
            "reviews": article.reviews.select_related("by").order_by("at", "id"),
            "images": [f for f in article.files.all() if f.is_image],
            "can_edit": article.editable and policy.allows(request.user, article, "change"),
            "can_review": article.state in (ArticleState.SUBMITTED, ArticleState.ACCEPTED)
            and policy.allows(request.user, article, "review"),
            "review_form": cf.CommentForm(),
        },
    )


@login_required
@require_POST
def article_submit(request, pk):
    article = get_for_user(request, Article, pk)
    check(request, article, "change")
    try:
        services.submit_article(by=request.user, article=article)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已提交给教体局综合办。"))
    return redirect("campaigns:article_detail", article.pk)


@login_required
@require_POST
def article_review(request, pk):
    article = get_for_user(request, Article, pk)
    check(request, article, "review")
    comment = request.POST.get("comment", "")
    try:
        if request.POST.get("decision") == "accept":
            services.accept_article(by=request.user, article=article, comment=comment)
            messages.success(request, _("已采用，并列入汇编。"))
        else:
            services.return_article(by=request.user, article=article, comment=comment)
            messages.success(request, _("已退回，学校将看到修改意见。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("campaigns:article_detail", article.pk)


def _booklet_campaign(request, pk):
    campaign = get_for_user(request, Campaign, pk)
    require(request, "campaigns.article.review")
    return campaign


@login_required
def booklet_page(request, pk):
    """The booklet: which accepted articles, in which order; then download it."""
    campaign = _booklet_campaign(request, pk)
    accepted = list(
        Article.objects.filter(campaign=campaign, state=ArticleState.ACCEPTED)
        .select_related("school")
        .order_by("booklet_order", "school__name", "id")
    )
    if request.method == "POST":
        picked = []
        for a in accepted:
            if request.POST.get(f"pick_{a.pk}"):
                try:
                    n = int(request.POST.get(f"order_{a.pk}") or 999)
                except ValueError:
                    n = 999
                picked.append((n, a.school.name, a.pk))
        try:
            services.set_booklet(
                by=request.user, campaign=campaign, article_ids=[pk for _n, _s, pk in sorted(picked)]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存汇编的篇目和顺序。"))
        return redirect("campaigns:booklet", campaign.pk)
    return render(
        request,
        "campaigns/booklet.html",
        {"campaign": campaign, "accepted": accepted, "picked": [a for a in accepted if a.booklet_order]},
    )


def _download(request, campaign, data: bytes, ext: str, content_type: str):
    audit.record("export", campaign, data={"booklet": ext})
    response = HttpResponse(data, content_type=content_type)
    name = f"{campaign.title}-经验材料汇编.{ext}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response


@login_required
def booklet_docx(request, pk):
    campaign = _booklet_campaign(request, pk)
    return _download(request, campaign, bk.docx(campaign), "docx", bk.DOCX)


@login_required
def booklet_pdf(request, pk):
    campaign = _booklet_campaign(request, pk)
    return _download(request, campaign, bk.pdf(campaign), "pdf", "application/pdf")
