from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "pingan.org"
    label = "org"
    verbose_name = "组织"
