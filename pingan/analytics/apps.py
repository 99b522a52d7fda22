from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "pingan.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from pingan.analytics.upkeep import on_event_written
        from pingan.events.signals import event_written

        event_written.connect(on_event_written, dispatch_uid="analytics.on_event_written")
