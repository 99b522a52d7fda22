"""The places app's fixed lists (the values are the API's, the labels Chinese msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CameraKind",
    "CameraStatus",
    "CheckResult",
    "ItemState",
    "ManagedModel",
    "PlaceKind",
    "PlaceStatus",
    "Rating",
    "RentalKind",
    "RentalStatus",
]


class RentalKind(models.TextChoices):
    WHOLE = "whole", _("整套出租")
    ROOMS = "rooms", _("分间出租")
    GROUP = "group", _("群租房")
    DORMITORY = "dormitory", _("员工宿舍")
    # 住宿与生产、经营、储存合用的场所: the fire services' first concern.
    MIXED = "mixed", _("三合一场所")


class ManagedModel(models.TextChoices):
    """How a rental house is managed (several may hold)."""

    SELF = "self", _("房东自管")
    CUSTODY = "custody", _("房东托管")
    VILLAGE_LEASE = "village_lease", _("整村统租")
    AGENCY = "agency", _("中介代管")


class RentalStatus(models.TextChoices):
    LET = "let", _("在租")
    VACANT = "vacant", _("空置")
    CLOSED = "closed", _("停租注销")


class Rating(models.TextChoices):
    UNRATED = "", _("未评级")
    GREEN = "green", _("绿色（放心）")
    YELLOW = "yellow", _("黄色（关注）")
    RED = "red", _("红色（管控）")


class ItemState(models.TextChoices):
    OK = "ok", _("合格")
    HAZARD = "hazard", _("存在隐患")
    NA = "na", _("不涉及")


class CheckResult(models.TextChoices):
    PASS = "pass", _("合格")
    RECTIFY = "rectify", _("限期整改")
    FAIL = "fail", _("重大隐患（责令停用）")


class PlaceKind(models.TextChoices):
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    MARKET = "market", _("集贸市场")
    HAZCHEM = "hazchem", _("危化品单位")
    CATERING = "catering", _("餐饮单位")
    CROWDED = "crowded", _("人员密集场所")
    ENTERPRISE = "enterprise", _("企业")
    SITE = "site", _("建筑工地")
    SCENIC = "scenic", _("景区")
    REALNAME = "realname", _("实名制行业单位")
    OTHER = "other", _("其他")


class PlaceStatus(models.TextChoices):
    OPEN = "open", _("在营")
    SUSPENDED = "suspended", _("停业")
    CLOSED = "closed", _("注销")


class CameraKind(models.TextChoices):
    PUBLIC_SECURITY = "public_security", _("公安监控")
    SOCIAL = "social", _("社会面监控")
    CAMPUS = "campus", _("校园监控")
    TRAFFIC = "traffic", _("交通监控")
    RESIDENTIAL = "residential", _("小区村居监控")
    BUSINESS = "business", _("企事业单位监控")


class CameraStatus(models.TextChoices):
    ONLINE = "online", _("在线")
    OFFLINE = "offline", _("离线")
    REMOVED = "removed", _("已拆除")
