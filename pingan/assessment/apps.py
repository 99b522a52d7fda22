from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "pingan.assessment"
    verbose_name = "平安考核"
    default_auto_field = "django.db.models.BigAutoField"
