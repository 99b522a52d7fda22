from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    POLICE_110 = "police_110", _("110联动")
    OPEN311 = "open311", _("Open311")
    CITIZEN = "citizen", _("群众随手拍")


# Channels whose work orders come in through the intake API.
ORDER_CHANNELS = (Channel.HOTLINE_12345, Channel.POLICE_110)

# The event source recorded for an event that came in through each channel.
EVENT_SOURCE = {
    Channel.HOTLINE_12345: "hotline_12345",
    Channel.POLICE_110: "police_110",
    Channel.OPEN311: "open311",
    Channel.CITIZEN: "citizen",
}


class OrderState(models.TextChoices):
    RECEIVED = "received", _("已接收")
    WITHDRAWN = "withdrawn", _("对方撤单")
    REASSIGNED = "reassigned", _("对方改派")
    RETURNED = "returned", _("我方退单")


class ActionKind(models.TextChoices):
    WITHDRAW = "withdraw", _("撤单")
    REASSIGN = "reassign", _("改派")
    RETURN = "return", _("退单")
    TRANSFER_110 = "transfer_110", _("移交110")
