from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "pingan.emergency"
    verbose_name = "应急处置与值班"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The kind registers itself with the case engine; 启动预案 registers on the events
        # workflow (events never imports emergency); the sweep joins the sla sweeper; the
        # urgent-event listener runs ahead of the notifications app's.
        from pingan.emergency import deadlines, kind, receivers, services  # noqa: F401
        from pingan.events.signals import event_changed

        services.install()
        deadlines.install()
        receivers.connect_first(
            event_changed, receivers.on_event_changed, "emergency.on_event_changed"
        )
