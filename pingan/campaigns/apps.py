from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "pingan.campaigns"
    verbose_name = "专项行动与挂牌整治"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The case kind registers itself with the case engine (kind.py, when it exists).
        import importlib.util

        if importlib.util.find_spec("pingan.campaigns.kind") is not None:
            importlib.import_module("pingan.campaigns.kind")
