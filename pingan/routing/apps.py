from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "pingan.routing"
    label = "routing"
    verbose_name = "分流"
