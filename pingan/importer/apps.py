from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "pingan.importer"
    label = "importer"
    verbose_name = "历史数据导入"
