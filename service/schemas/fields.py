"""Marshmallow fields for numbers with the contract's bounds (see service/bounds.py)."""

from __future__ import annotations

from datetime import date

from marshmallow import fields, validate

from service.bounds import MAX_ID, MAX_PAGE


def Id(**kwargs) -> fields.Integer:  # noqa: N802 (reads as a field class)
    """A database id: 1 … MAX_ID; anything else is invalid input, never a query."""
    return fields.Integer(strict=kwargs.pop("strict", False), validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Page(**kwargs) -> fields.Integer:  # noqa: N802
    """A page number: 1 … MAX_PAGE."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_PAGE), **kwargs)


# Dates a statistics period may name: the day after the last must still be a date (no case predates 1900).
DATE_RANGE = validate.Range(min=date(1900, 1, 1), max=date(2199, 12, 31))
