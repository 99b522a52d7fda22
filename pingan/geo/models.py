"""The region tree: (city →) county → town → village → grid."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.geo import scope
from pingan.geo.choices import Level


class Region(models.Model):
    """A node of the administrative tree, down to the grid.

    `path` is a materialised path of codes ("330424/330424001/") so that a subtree is one
    indexed prefix query. Grids carry a GeoJSON polygon; every node keeps a point inside
    it (`lat`, `lng`) for maps and the API.
    """

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("深度"), default=0, editable=False)
    is_special = models.BooleanField(_("专属网格"), default=False)
    geometry = models.JSONField(_("边界(GeoJSON)"), null=True, blank=True)
    geometry_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)

    class Meta:
        verbose_name = _("区划/网格")
        verbose_name_plural = _("区划/网格")
        ordering = ["path"]
        indexes = [
            models.Index(
                fields=["path"],
                name="geo_region_path_like",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = (self.parent.path if self.parent else "") + f"{self.code}/"
        self.depth = self.path.count("/") - 1
        if self.geometry:
            from pingan.geo.geometry import representative_point

            self.lat, self.lng = representative_point(self.geometry)
            self.geometry_updated_at = timezone.now()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c]

    def contains(self, other: Region) -> bool:
        """True when `other` is this node or below it."""
        return scope.within(other.path, (self.path,))
