from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "pingan.risk"
    verbose_name = "社会稳定风险评估"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The kind registers itself with the case engine.
        from pingan.risk import kind  # noqa: F401
