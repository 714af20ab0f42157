from django.urls import path

from anxin.oversight import views

app_name = "oversight"
urlpatterns = [
    path("posts/", views.post_list, name="post_list"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/shifts/new/", views.shift_create, name="shift_create"),
    path("posts/<int:pk>/observe/", views.observe, name="observe"),
    path("shifts/<int:pk>/", views.shift_edit, name="shift_edit"),
    path("shifts/<int:pk>/delete/", views.shift_delete, name="shift_delete"),
    path("mine/", views.my_posts, name="my_posts"),
    path("observations/", views.ObservationListView.as_view(), name="observation_list"),
    path("accountability/", views.accountability, name="accountability"),
    path("accountability/settings/", views.settings_view, name="settings"),
    path("actions/", views.ActionListView.as_view(), name="action_list"),
    path("actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
]
