"""White text on the dispute colours is readable (WCAG AA; issue 19, item 17)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.db_independent

CSS = Path(settings.BASE_DIR, "static/css/site.css")
AA_NORMAL_TEXT = 4.5


def luminance(hex_colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(foreground: str, background: str) -> float:
    darker, lighter = sorted((luminance(foreground), luminance(background)))
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_matches_the_walkthroughs_figures():
    assert round(contrast("#ffffff", "#ca8a04"), 2) == 2.94
    assert round(contrast("#ffffff", "#16a34a"), 2) == 3.30


def test_white_on_every_dispute_colour_passes_aa():
    colours = dict(
        re.findall(r"\.colour-(\w+) \{ --colour: (#[0-9a-f]{6}); \}", CSS.read_text())
    )
    assert set(colours) == {"green", "yellow", "orange", "red"}
    for name, value in colours.items():
        assert contrast("#ffffff", value) >= AA_NORMAL_TEXT, name
