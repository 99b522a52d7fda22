from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "pingan.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self) -> None:
        from pingan.events.signals import event_changed
        from pingan.notifications.receivers import on_event_changed

        event_changed.connect(on_event_changed, dispatch_uid="notifications.on_event_changed")
