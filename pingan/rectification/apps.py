from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "pingan.rectification"
    verbose_name = "整改"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The kind registers itself with the case engine; the overdue sweep joins the sla
        # sweeper; the campaign counters join campaigns' progress (neither imports us).
        from pingan.rectification import deadlines, kind, progress  # noqa: F401

        deadlines.install()
        progress.install()
