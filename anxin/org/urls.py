from django.urls import path

from anxin.org import views

app_name = "org"
urlpatterns = [
    path("schools/", views.SchoolListView.as_view(), name="school_list"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
    path("schools/<int:school_pk>/classes/new/", views.class_create, name="class_create"),
    path("classes/", views.ClassListView.as_view(), name="class_list"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("responsibilities/", views.responsibility_list, name="responsibility_list"),
    path("responsibilities/<int:school_pk>/edit/", views.responsibility_edit, name="responsibility_edit"),
    path("responsibilities/<int:pk>/delete/", views.responsibility_delete, name="responsibility_delete"),
    path("safety-officers/", views.SafetyOfficerListView.as_view(), name="safety_officer_list"),
    path("classes/<int:class_pk>/safety-officers/add/", views.safety_officer_add, name="safety_officer_add"),
    path("safety-officers/<int:pk>/end/", views.safety_officer_end, name="safety_officer_end"),
]
