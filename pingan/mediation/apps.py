from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "pingan.mediation"
    verbose_name = "大调解"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The kind registers itself with the case engine; 转调解 registers on the events
        # workflow (events never imports mediation).
        from pingan.mediation import deadlines, kind, services  # noqa: F401

        services.install()
        deadlines.install()  # the mediation sweep runs with the sla app's sweeper
