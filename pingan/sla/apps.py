from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "pingan.sla"
    label = "sla"
    verbose_name = "时限"
