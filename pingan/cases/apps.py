from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "pingan.cases"
    verbose_name = "案件引擎"
