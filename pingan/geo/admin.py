"""Back office for the region tree. Saves go through `region_upsert`, which keeps the
materialised paths of the subtree and the point → grid index up to date."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pingan.geo.geometry import to_shape
from pingan.geo.models import Region
from pingan.geo.services import region_upsert


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "is_special", "geometry"]

    def clean_geometry(self) -> Any:
        geometry = self.cleaned_data.get("geometry")
        if not geometry:
            return None
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
            "Feature",
        ):
            raise forms.ValidationError(_("边界应为 GeoJSON 的 Polygon 或 MultiPolygon"))
        try:
            shape = to_shape(geometry)
        except Exception as exc:  # noqa: BLE001 - shapely raises many kinds
            raise forms.ValidationError(_("边界不是有效的 GeoJSON：%(e)s") % {"e": exc}) from None
        if shape.is_empty or shape.geom_type not in ("Polygon", "MultiPolygon"):
            raise forms.ValidationError(_("边界应为面（Polygon 或 MultiPolygon）"))
        return geometry

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent = data.get("parent")
        if parent is not None and self.instance.pk and self.instance.contains(parent):
            self.add_error("parent", _("上级不能是自身或自身的下级"))
        return data


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "parent", "depth", "is_special", "has_geometry"]
    list_filter = ["level", "is_special"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth", "lat", "lng", "geometry_updated_at"]
    list_select_related = ["parent"]
    list_per_page = 100

    @admin.display(description=_("边界"), boolean=True)
    def has_geometry(self, obj: Region) -> bool:
        return bool(obj.geometry)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("code")  # the code is the region's identity in paths and imports
        return fields

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        region, _created = region_upsert(
            code=obj.code,
            name=obj.name,
            level=obj.level,
            parent=obj.parent,
            geometry=obj.geometry,
            is_special=obj.is_special,
        )
        obj.pk = region.pk
        obj.refresh_from_db()
