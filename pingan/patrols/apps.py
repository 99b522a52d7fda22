from django.apps import AppConfig


class PatrolsConfig(AppConfig):
    name = "pingan.patrols"
    label = "patrols"
    verbose_name = "网格巡查"
