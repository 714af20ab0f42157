from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "anxin.campaigns"
    label = "campaigns"
    verbose_name = "专项行动"
