from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "pingan.intake"
    label = "intake"
    verbose_name = "渠道对接"

    def ready(self) -> None:
        from pingan.events.signals import event_changed
        from pingan.intake.receivers import on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="intake.on_event_changed")
