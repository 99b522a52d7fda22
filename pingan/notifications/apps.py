from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "pingan.notifications"
    label = "notifications"
    verbose_name = "通知"
