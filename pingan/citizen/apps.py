from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "pingan.citizen"
    label = "citizen"
    verbose_name = "民声一键办"
