"""What every area's schemas share: a strict input schema, and an object dumped with a few fields added."""

from __future__ import annotations

from marshmallow import Schema


class StrictSchema(Schema):
    """An input body: unknown fields are refused (422), not ignored."""

    class Meta:
        unknown = "raise"


class Extended:
    """An object read with some attributes added: what a schema dumps when a row gains a few fields
    (a task and its due flag, a version and its open-case count), instead of copying the row into a dict."""

    def __init__(self, obj, **extra):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._obj, name)
