from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "pingan.places"
    verbose_name = "出租房、重点场所与视频点位"
    default_auto_field = "django.db.models.BigAutoField"
