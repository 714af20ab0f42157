from django.urls import path

from anxin.core import notifications_views, views

app_name = "core"
urlpatterns = [
    path("home/", views.home, name="home"),
    path("home/chase/", views.chase, name="chase"),
    path("switch-school/", views.switch_school, name="switch_school"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("notifications/", notifications_views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", notifications_views.notification_open, name="notification_open"),
    path("notifications/deliveries/", notifications_views.DeliveryListView.as_view(), name="delivery_list"),
    path("notifications/read-all/", notifications_views.notification_read_all, name="notifications_read_all"),
]
