"""Marshmallow fields for numbers with the contract's bounds (see service/bounds.py)."""

from __future__ import annotations

from marshmallow import fields, validate

from service.bounds import MAX_ID, MAX_PAGE


def Id(**kwargs) -> fields.Integer:  # noqa: N802 (reads as a field class)
    """A database id: 1 … MAX_ID; anything else is invalid input, never a query."""
    return fields.Integer(strict=kwargs.pop("strict", False), validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Page(**kwargs) -> fields.Integer:  # noqa: N802
    """A page number: 1 … MAX_PAGE."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_PAGE), **kwargs)
