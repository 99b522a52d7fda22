from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "pingan.inspections"
    verbose_name = "督查检查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The campaigns' progress counts the inspections tagged to a campaign.
        import importlib.util

        if importlib.util.find_spec("pingan.campaigns.progress") is None:
            return
        from django.utils.translation import gettext_noop

        from pingan.campaigns.progress import register_counter
        from pingan.inspections.selectors import campaign_inspection_count

        register_counter(
            "inspections",
            gettext_noop("督查检查次数"),
            lambda campaign: campaign_inspection_count(campaign.pk),
        )
