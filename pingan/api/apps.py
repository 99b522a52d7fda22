from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pingan.api"
    label = "api"
    verbose_name = "接口"
