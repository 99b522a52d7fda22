from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "pingan.leads"
    label = "leads"
    verbose_name = "网络舆情"
