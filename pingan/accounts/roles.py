"""The three administrators (三员) and what each may do in the back office.

Role codes are the values of `pingan.org.choices.Role` (accounts sits below org in the
dependency rule, so it names them as strings; a test keeps the two in step).

- 系统管理员 sys_admin: accounts (create, disable, reset passwords) and configuration
  (regions, departments, categories and deadlines, routing, calendar). Not roles, not the
  audit log.
- 安全管理员 sec_admin: role grants (memberships), security policy objects (API tokens,
  login lockouts, two-factor devices, sensitivity labels). Not accounts, not the audit log.
- 审计管理员 audit_admin: reads and exports the audit log. Nothing else.

Back-office permissions of a non-superuser come from these roles only: Django's per-user
permissions and groups are ignored, so no administrator can grant himself another's
powers. A user holding two administrator roles gets the powers of neither.
"""

from __future__ import annotations

from typing import Any

SYS_ADMIN = "sys_admin"
SEC_ADMIN = "sec_admin"
AUDIT_ADMIN = "audit_admin"
ADMIN_ROLES = frozenset({SYS_ADMIN, SEC_ADMIN, AUDIT_ADMIN})

ALL = ("add", "change", "delete", "view")

# (app_label, model or "*", actions)
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    SYS_ADMIN: [
        ("accounts", "user", ("add", "change", "view")),
        ("geo", "*", ALL),
        ("org", "department", ALL),
        ("routing", "*", ALL),
        ("sla", "*", ALL),
        ("events", "category", ALL),
        ("events", "categorydeadline", ALL),
        ("core", "workdayoverride", ALL),
        ("notifications", "*", ("view",)),
        # Configuration of the later domains: score weights and pay bands, risk-alert
        # rules and automatic-triage policies, the channels' settings.
        ("gridsys", "scoresettings", ("add", "change", "view")),  # one row, never deleted
        ("gridsys", "payband", ALL),
        ("triage", "alertrule", ALL),
        ("triage", "autotriagepolicy", ALL),
        ("intake", "integration", ("view", "change")),
        # Mediation committees (五有 checks) and mediators; cases are not configuration.
        ("mediation", "committee", ALL),
        ("mediation", "committeecheck", ALL),
        ("mediation", "mediator", ALL),
        # The registers' rules: points items and levels, key-person categories (their
        # visit frequency and label); the records themselves are kept on the pages.
        ("registry", "pointsrule", ALL),
        ("registry", "pointslevel", ALL),
        ("registry", "keypersoncategory", ALL),
        # Emergency plans with their groups, drills and the duty roster; activations are
        # read only (they are cases).
        ("emergency", "emergencyplan", ALL),
        ("emergency", "plangroup", ALL),
        ("emergency", "planstep", ALL),
        ("emergency", "plantasktemplate", ALL),
        ("emergency", "drill", ALL),
        ("emergency", "dutyshift", ALL),
        ("emergency", "activation", ("view",)),
        ("emergency", "activationtransition", ("view",)),
        ("inspections", "checklist", ALL),
        ("inspections", "checklistitem", ALL),
        ("inspections", "inspectionplan", ALL),
    ],
    SEC_ADMIN: [
        ("org", "membership", ALL),
        ("org", "department", ("view",)),
        ("geo", "region", ("view",)),
        ("accounts", "user", ("view",)),
        ("accounts", "apitoken", ("view", "change")),
        ("accounts", "loginfailure", ("view", "delete")),
        ("accounts", "totpdevice", ("view", "delete")),
        # Sensitivity labels and clearances (personal data, part 4) belong here too.
        ("privacy", "*", ALL),
        # Attaching an officer to a grid grants a role over it (grid fusion).
        ("gridsys", "gridofficer", ALL),
    ],
    AUDIT_ADMIN: [
        ("core", "auditentry", ("view",)),
        ("core", "auditanchor", ("view",)),
        ("admin", "logentry", ("view",)),
    ],
}


def admin_roles_of(user: Any) -> set[str]:
    """The administrator roles `user` holds through active memberships."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.pk:
        return set()
    cached = getattr(user, "_pingan_admin_roles", None)
    if cached is None:
        cached = set(
            user.memberships.filter(is_active=True, role__in=ADMIN_ROLES).values_list(
                "role", flat=True
            )
        )
        user._pingan_admin_roles = cached
    return set(cached)


def admin_role_of(user: Any) -> str | None:
    """The one administrator role of `user`, or None (none, or a forbidden combination)."""
    roles = admin_roles_of(user)
    return next(iter(roles)) if len(roles) == 1 else None


def role_permissions(role: str) -> set[str]:
    """Permission names ("app_label.codename") a role grants, from the installed models."""
    from django.apps import apps

    perms: set[str] = set()
    for app_label, model, actions in ROLE_PERMISSIONS.get(role, []):
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue
        for m in config.get_models():
            name = m._meta.model_name
            if model != "*" and name != model:
                continue
            for action in actions:
                if action in m._meta.default_permissions:
                    perms.add(f"{app_label}.{action}_{name}")
    return perms
