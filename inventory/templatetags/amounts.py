"""Template filters for Decimals (``{% load amounts %}``): ``inventory.display`` in templates."""

from __future__ import annotations

from django import template

from inventory import display

register = template.Library()


@register.filter
def amount(value: object) -> str:
    return display.amount(value)


@register.filter
def unit_cost(value: object) -> str:
    return display.unit_cost(value)


@register.filter
def quantity(value: object) -> str:
    return display.quantity(value)


@register.filter
def plain_decimal(value: object, min_places: int = 2) -> str:
    return display.plain_decimal(value, min_places)
