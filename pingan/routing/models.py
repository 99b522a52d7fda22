"""Routing rules: which department leads (and which assist) for a category in a region."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingRule(models.Model):
    """Category × region subtree → lead department and optional assisting departments.

    A rule on a leaf category beats one on its parent; among those, the rule on the
    deepest region wins (a town's rule beats the county's); `priority` breaks ties.
    """

    category = models.ForeignKey(
        "events.Category",
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("分类"),
    )
    region = models.ForeignKey(
        "geo.Region",
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("适用区划"),
    )
    lead_department = models.ForeignKey(
        "org.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("主办部门")
    )
    assisting_departments = models.ManyToManyField(
        "org.Department", blank=True, related_name="+", verbose_name=_("协办部门")
    )
    priority = models.IntegerField(_("优先级"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("分流规则")
        verbose_name_plural = _("分流规则")
        ordering = ["category", "region__path", "-priority"]

    def __str__(self) -> str:
        return f"{self.category} @ {self.region} → {self.lead_department}"
