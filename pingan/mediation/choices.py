"""The mediation app's fixed lists (the values are the API's, the labels Chinese msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.events.choices import Referral

__all__ = [
    "Channel",
    "CheckItem",
    "CheckState",
    "CommitteeKind",
    "CommitteeLevel",
    "DisputeKind",
    "MediatorKind",
    "PartyKind",
    "PartyRole",
    "Performance",
    "Referral",
    "Ruling",
    "Status",
]


class CommitteeLevel(models.TextChoices):
    VILLAGE = "village", _("村（社区）调委会")
    TOWN = "town", _("镇（街道）调委会")
    COUNTY = "county", _("县级调委会")
    PROFESSIONAL = "professional", _("专业性调委会")
    JOINT_CENTRE = "joint_centre", _("联合调解中心")


# The order of escalation: a case goes up to a committee of a higher rank.
LEVEL_RANK: dict[str, int] = {
    CommitteeLevel.VILLAGE: 1,
    CommitteeLevel.TOWN: 2,
    CommitteeLevel.COUNTY: 3,
    CommitteeLevel.PROFESSIONAL: 3,
    CommitteeLevel.JOINT_CENTRE: 4,
}


class CommitteeKind(models.TextChoices):
    PEOPLE = "people", _("人民调解")
    ADMINISTRATIVE = "administrative", _("行政调解")
    JUDICIAL = "judicial", _("司法调解")
    TRAFFIC = "traffic", _("交通事故纠纷")
    MEDICAL = "medical", _("医疗纠纷")
    LABOUR = "labour", _("劳动争议")
    PROPERTY = "property", _("物业纠纷")
    NEW_RESIDENT = "new_resident", _("新居民纠纷")
    OTHER = "other", _("其他")


class CheckItem(models.TextChoices):
    """The 五有 standard of a committee."""

    PLACE = "place", _("有场所")
    SIGN = "sign", _("有标牌")
    SEAL = "seal", _("有印章")
    SYSTEM = "system", _("有制度")
    RECORDS = "records", _("有台账")


class CheckState(models.TextChoices):
    OK = "ok", _("达标")
    PARTIAL = "partial", _("部分达标")
    MISSING = "missing", _("缺失")


class MediatorKind(models.TextChoices):
    PEOPLE = "people", _("人民调解员")
    ADMINISTRATIVE = "administrative", _("行政机关工作人员")
    JUDICIAL = "judicial", _("法官或法院工作人员")


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    MEDIATING = "mediating", _("调解中")
    SUCCEEDED = "succeeded", _("调解成功")
    FAILED = "failed", _("调解不成")
    WITHDRAWN = "withdrawn", _("已撤回")
    CLOSED = "closed", _("已结案")


class Channel(models.TextChoices):
    EVENT = "event", _("事件转调解")
    WALK_IN = "walk_in", _("来访")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    POLICE_110 = "police_110", _("110警情")
    CITIZEN = "citizen", _("群众申请")
    ON_SITE = "on_site", _("就地调解")
    OTHER = "other", _("其他")


class DisputeKind(models.TextChoices):
    MARRIAGE_FAMILY = "marriage_family", _("婚姻家庭")
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    CONTRACT = "contract", _("合同纠纷")
    DAMAGES = "damages", _("损害赔偿")
    LABOUR = "labour", _("劳动争议")
    PROPERTY = "property", _("物业纠纷")
    LAND = "land", _("土地承包")
    TRAFFIC = "traffic", _("交通事故")
    MEDICAL = "medical", _("医疗纠纷")
    OTHER = "other", _("其他")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("单位")


class Performance(models.TextChoices):
    """How the agreement is performed (履行方式)."""

    AT_ONCE = "at_once", _("即时履行")
    BY_DATE = "by_date", _("限期履行")


class Ruling(models.TextChoices):
    """The court's ruling on a request for judicial confirmation (司法确认)."""

    CONFIRMED = "confirmed", _("确认有效")
    REJECTED = "rejected", _("驳回申请")
