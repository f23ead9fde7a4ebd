"""The CJK font every PDF of the project is set in."""

import functools

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "NotoSansSC"
# TrueType outlines, embedded as a subset; see static/fonts/README.md.
FONT_FILE = "static/fonts/NotoSansSC-Regular.ttf"


@functools.cache
def cjk_font() -> str:
    """Register the font once per process (parsing it takes ~0.2 s); its name."""
    pdfmetrics.registerFont(TTFont(FONT, settings.BASE_DIR / FONT_FILE))
    return FONT
