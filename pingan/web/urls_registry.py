"""The registers' pages (docs/registry.md, "Pages")."""

from django.urls import path

from pingan.web.views import registry, registry_export, registry_map, registry_places

urlpatterns = [
    path("registry/", registry.registry_overview, name="registry_overview"),
    path("registry/persons/", registry.registry_persons, name="registry_persons"),
    path(
        "registry/persons/export.xlsx",
        registry_export.registry_persons_export,
        name="registry_persons_export",
    ),
    path("registry/persons/new/", registry.registry_person_new, name="registry_person_new"),
    path("registry/persons/<int:person_id>/", registry.registry_person, name="registry_person"),
    path(
        "registry/persons/<int:person_id>/edit/",
        registry.registry_person_edit,
        name="registry_person_edit",
    ),
    path(
        "registry/persons/<int:person_id>/reveal/",
        registry.registry_person_reveal,
        name="registry_person_reveal",
    ),
    path("registry/households/", registry.registry_households, name="registry_households"),
    path(
        "registry/households/<int:household_id>/",
        registry.registry_household,
        name="registry_household",
    ),
    path("registry/key-persons/", registry.registry_key_persons, name="registry_key_persons"),
    path(
        "registry/key-persons/<int:key_person_id>/",
        registry.registry_key_person,
        name="registry_key_person",
    ),
    path("registry/rentals/", registry_places.registry_rentals, name="registry_rentals"),
    path(
        "registry/rentals/export.xlsx",
        registry_export.registry_rentals_export,
        name="registry_rentals_export",
    ),
    path("registry/rentals/new/", registry_places.registry_rental_new, name="registry_rental_new"),
    path(
        "registry/rentals/<int:rental_id>/",
        registry_places.registry_rental,
        name="registry_rental",
    ),
    path(
        "registry/rentals/<int:rental_id>/edit/",
        registry_places.registry_rental_edit,
        name="registry_rental_edit",
    ),
    path(
        "registry/rentals/<int:rental_id>/reveal/",
        registry_places.registry_rental_reveal,
        name="registry_rental_reveal",
    ),
    path("registry/places/", registry_places.registry_places, name="registry_places"),
    path("registry/places/<int:place_id>/", registry_places.registry_place, name="registry_place"),
    path(
        "registry/places/<int:place_id>/reveal/",
        registry_places.registry_place_reveal,
        name="registry_place_reveal",
    ),
    path("registry/sectors/", registry_places.registry_sectors, name="registry_sectors"),
    path("registry/cameras/", registry_places.registry_cameras, name="registry_cameras"),
    path("registry/map/", registry_map.registry_map, name="registry_map"),
    path(
        "registry/map/features/",
        registry_map.registry_map_features,
        name="registry_map_features",
    ),
]
