"""The CJK font every PDF of the project is set in."""

import functools
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from policing.validators import strip_control_characters

FONT = "NotoSansSC"
# TrueType outlines, embedded as a subset; see static/fonts/README.md.
FONT_FILE = "static/fonts/NotoSansSC-Regular.ttf"


@functools.cache
def cjk_font() -> str:
    """Register the font once per process (parsing it takes ~0.2 s); its name."""
    pdfmetrics.registerFont(TTFont(FONT, settings.BASE_DIR / FONT_FILE))
    return FONT


def markup(text: str) -> str:
    """Return user-supplied text as a ``Paragraph`` shows it, never as markup.

    reportlab's ``Paragraph`` reads ``<img src=…/>`` (a local file, read by
    path), ``<a href=…>`` (a live link) and any other tag, and fails on an
    unknown one (issue 27, item 3). Every name, address or note that reaches
    a ``Paragraph`` goes through here; characters a PDF cannot show are
    dropped too.
    """
    return escape(strip_control_characters(str(text)))
