"""Template filters that print the metrics' numbers the way every page does."""

from django import template
from django.utils.formats import number_format

register = template.Library()

#: what a figure without data prints (a rate over an empty denominator)
NO_FIGURE = "\u2013"  # en dash


@register.filter
def percent(value, places: int = 1) -> str:
    """Print a share (0.2389) as a percentage ("23.9%"), or a dash for None."""
    if value is None or value == "":
        return NO_FIGURE
    return f"{number_format(float(value) * 100, decimal_pos=int(places))}%"
