from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "pingan.triage"
    label = "triage"
    verbose_name = "智能分拨"

    def ready(self) -> None:
        from pingan.events.signals import event_changed
        from pingan.triage.receivers import on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="triage.on_event_changed")
