from django.urls import path

from anxin.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.CampaignCreateView.as_view(), name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/board/", views.board, name="board"),
    path("<int:pk>/booklet/", views.booklet_page, name="booklet"),
    path("<int:pk>/booklet.docx", views.booklet_docx, name="booklet_docx"),
    path("<int:pk>/booklet.pdf", views.booklet_pdf, name="booklet_pdf"),
    path("phases/<int:pk>/edit/", views.PhaseEditView.as_view(), name="phase_edit"),
    path("phases/<int:pk>/tasks/new/", views.TaskAddView.as_view(), name="task_add"),
    path("tasks/<int:pk>/edit/", views.TaskEditView.as_view(), name="task_edit"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:task_pk>/schools/<int:school_pk>/", views.progress_page, name="progress"),
    path("progress/<int:pk>/return/", views.progress_return, name="progress_return"),
    path("mine/", views.school_tasks, name="school_tasks"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("articles/", views.ArticleListView.as_view(), name="article_list"),
    path("articles/new/", views.ArticleCreateView.as_view(), name="article_create"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/edit/", views.ArticleEditView.as_view(), name="article_edit"),
    path("articles/<int:pk>/submit/", views.article_submit, name="article_submit"),
    path("articles/<int:pk>/review/", views.article_review, name="article_review"),
]
