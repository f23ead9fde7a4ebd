"""The API's JSON parser: bounded nesting (issue 27, item 8).

Python's ``json`` raises ``RecursionError`` on a document nested about a
thousand levels deep, which DRF's own parser lets through as a 500, even on
the endpoints that need no login (``/api/v1/track/``, ``track/rating/``,
``auth/token/``). No request of this API nests more than a few levels (a
GeoJSON MultiPolygon is four), so anything deeper than :data:`MAX_DEPTH` is
a 400.
"""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: Deepest nesting of arrays and objects a request body may have.
MAX_DEPTH = 32
TOO_DEEP = _("The JSON body is nested more than {depth} levels deep.")


def depth_of(value) -> int:
    """Return how deeply arrays and objects nest in ``value`` (a scalar is 0)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = (
            item.values()
            if isinstance(item, dict)
            else item
            if isinstance(item, list)
            else None
        )
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def check_depth(value) -> None:
    """Raise ``ParseError`` if ``value`` nests deeper than :data:`MAX_DEPTH`."""
    if depth_of(value) > MAX_DEPTH:
        raise ParseError(TOO_DEEP.format(depth=MAX_DEPTH))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with nesting bounded to :data:`MAX_DEPTH` levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP.format(depth=MAX_DEPTH)) from None
        check_depth(data)
        return data


def loads(text: str):
    """``json.loads`` with the same bound; ``ValueError`` when past it."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(str(TOO_DEEP.format(depth=MAX_DEPTH))) from None
    if depth_of(data) > MAX_DEPTH:
        raise ValueError(str(TOO_DEEP.format(depth=MAX_DEPTH)))
    return data
