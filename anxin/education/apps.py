from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "anxin.education"
    label = "education"
    verbose_name = "教育培训与考评"
