from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_LEADER = "grid_leader", _("网格长")
    DISPATCHER = "dispatcher", _("受理员")
    HANDLER = "handler", _("部门处置人员")
    LEADER = "leader", _("领导")
    MEDIATOR = "mediator", _("调解员")
    # 督查员: a member of an inspection group (督查组, 暗访组); sees the inspections and
    # rectification orders assigned to them (docs/inspections.md).
    INSPECTOR = "inspector", _("督查员")
    SYS_ADMIN = "sys_admin", _("系统管理员")
    SEC_ADMIN = "sec_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER})
ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
