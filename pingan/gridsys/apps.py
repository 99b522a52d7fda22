from django.apps import AppConfig


class GridsysConfig(AppConfig):
    name = "pingan.gridsys"
    label = "gridsys"
    verbose_name = "网格六制"
