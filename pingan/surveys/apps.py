from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "pingan.surveys"
    verbose_name = "问卷调查"
    default_auto_field = "django.db.models.BigAutoField"
