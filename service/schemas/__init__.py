"""marshmallow schemas for the JSON API."""
