"""The Chinese catalogue is complete and its compiled form is up to date.

A fresh machine may lack GNU gettext, so the compiled ``.mo`` files are
committed; this test catches a ``.po`` edited without recompiling.
"""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

pytestmark = pytest.mark.db_independent

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.po"))


def test_there_is_a_chinese_catalogue():
    """The default language has a catalogue."""
    assert Path(settings.BASE_DIR, "locale/zh_Hans/LC_MESSAGES/django.po") in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.parent.parent.name))
def test_every_message_is_translated(po_path):
    """No entry is untranslated or fuzzy."""
    catalogue = polib.pofile(str(po_path))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert (missing, fuzzy) == ([], [])


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.parent.parent.name))
def test_compiled_catalogue_matches_its_source(po_path):
    """The committed .mo holds exactly the translations of the .po."""
    source = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "")
        for e in polib.pofile(str(po_path)).translated_entries()
    }
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0, "")
        for e in polib.mofile(str(po_path.with_suffix(".mo")))
        if e.msgid
    }
    assert compiled == source


def test_chinese_is_the_default_language():
    """Without a choice of language the interface speaks Simplified Chinese."""
    from policing import settings as production_settings

    assert production_settings.LANGUAGE_CODE == "zh-hans"
    with translation.override(production_settings.LANGUAGE_CODE):
        assert translation.gettext("grid") == "网格"
