from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "anxin.campaigns"
    label = "campaigns"
    verbose_name = "专项行动"

    def ready(self):
        # 工作台's campaign duties keep data tasks' outcomes keyed by these apps' data version
        # (campaigns.progress): every process moves the version from its start
        from anxin.campaigns.progress import evaluated_apps
        from anxin.core import listing

        for label in evaluated_apps():
            listing.track(label)
