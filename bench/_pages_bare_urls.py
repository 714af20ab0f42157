"""URLs of the bare reference server (bench/_pages_bare.py): /bare/<school>/ only."""

from django.db import models
from django.http import JsonResponse
from django.urls import path


class BareRow(models.Model):
    school_id = models.IntegerField()
    at = models.DateTimeField()
    title = models.CharField(max_length=60)
    state = models.CharField(max_length=20)

    class Meta:
        app_label = "core"
        managed = False
        db_table = "bench_bare_row"


def bare(request, school):
    rows = list(
        BareRow.objects.filter(school_id=school)
        .order_by("-at", "-id")
        .values("id", "at", "title", "state")[:20]
    )
    return JsonResponse({"rows": rows})


urlpatterns = [path("bare/<int:school>/", bare)]
