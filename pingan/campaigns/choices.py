"""The campaigns app's fixed lists (the values are the API's, the labels Chinese msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CampaignKind", "CampaignStatus", "ListingKind", "ListingStatus"]


class CampaignKind(models.TextChoices):
    CRACKDOWN = "crackdown", _("专项打击（「清风」「飓风」等）")
    HUNDRED_DAYS = "hundred_days", _("百日攻坚")
    ILLEGAL = "illegal", _("打非治违")
    RECTIFICATION = "rectification", _("专项整治")
    OTHER = "other", _("其他")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class ListingKind(models.TextChoices):
    KEY_AREA = "key_area", _("重点复杂地区")
    PROMINENT_PROBLEM = "prominent_problem", _("突出问题")


class ListingStatus(models.TextChoices):
    LISTED = "listed", _("已挂牌")
    RECTIFYING = "rectifying", _("整改中")
    ACCEPTANCE = "acceptance", _("待验收")
    ACCEPTED = "accepted", _("验收通过")
    DELISTED = "delisted", _("已摘牌")
    CANCELLED = "cancelled", _("已撤销")


# Listed items still on the list (overdue when their deadline has passed).
LISTING_OPEN = frozenset(
    {
        ListingStatus.LISTED,
        ListingStatus.RECTIFYING,
        ListingStatus.ACCEPTANCE,
        ListingStatus.ACCEPTED,
    }
)
LISTING_TERMINAL = frozenset({ListingStatus.DELISTED, ListingStatus.CANCELLED})
