from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "pingan.citizen"
    label = "citizen"
    verbose_name = "群众随手拍"

    def ready(self) -> None:
        from pingan.citizen.receivers import on_event_changed
        from pingan.events.signals import event_changed

        event_changed.connect(on_event_changed, dispatch_uid="citizen.on_event_changed")
