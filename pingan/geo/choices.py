from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("市")
    COUNTY = "county", _("县(市、区)")
    TOWN = "town", _("镇(街道)")
    VILLAGE = "village", _("村(社区)")
    GRID = "grid", _("网格")


LEVEL_ORDER = [Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GRID]
