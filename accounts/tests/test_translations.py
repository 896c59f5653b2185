"""The interface is Swedish: every string in the catalogue is translated and
the compiled catalogue is current."""

from pathlib import Path

import polib
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(PO))

    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) > 100


def test_the_compiled_catalogue_is_in_use():
    with translation.override("sv"):
        assert translation.gettext("Log in") == "Logga in"
        assert translation.gettext("Clients") == "Klienter"
