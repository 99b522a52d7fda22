"""The ops app has no models."""
