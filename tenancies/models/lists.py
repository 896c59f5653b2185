"""The fixed lists an apartment's area and first-hand landlord are chosen
from. Free text gave both "centrum" and "Centrum" (issue 12 §7): one
register, split filters and figures. Each unit keeps its own lists, as it
keeps its own apartments; the housing administrator manages them
(views.lists) and an entry in use is deactivated, never deleted."""

import re

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def normalise_name(text: str) -> str:
    """A list name as stored: trimmed, inner runs of whitespace as one space.
    Two names that differ only in case are the same entry (the unique
    constraints below compare lower-cased)."""
    return re.sub(r"\s+", " ", text or "").strip()


def name_key(text: str) -> str:
    """What two spellings of one entry have in common: "  centrum" and
    "Centrum" give the same key (the data migration and the import match on it)."""
    return normalise_name(text).casefold()


class ListEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not (user.is_authenticated and user.is_active and user.unit_id):
            return self.none()
        return self.filter(unit_id=user.unit_id)

    def active(self):
        return self.filter(is_active=True)


class ListEntry(models.Model):
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    # A deactivated entry is no longer offered for new choices; apartments
    # that have it keep it (and still show it).
    is_active = models.BooleanField(_("active"), default=True)

    objects = ListEntryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Area(ListEntry):
    class Meta(ListEntry.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            # services.lists.save_entry refuses a duplicate with a message
            # first; the import and the apartment filter match on the name.
            models.UniqueConstraint("unit", Lower("name"), name="tenancies_area_unique_name"),
        ]


class Landlord(ListEntry):
    class Meta(ListEntry.Meta):
        verbose_name = _("landlord")
        verbose_name_plural = _("landlords")
        constraints = [
            # As for Area.
            models.UniqueConstraint("unit", Lower("name"), name="tenancies_landlord_unique_name"),
        ]


def merge_spellings(texts) -> dict[str, str]:
    """{key: name} for free-text values: spellings with the same name_key
    become one entry, named by the spelling used most often (ties: the one
    starting with a capital, then the first in sort order). Used by the
    data migration that turned the free texts into lists (0005)."""
    counts: dict[str, dict[str, int]] = {}
    for text in texts:
        name = normalise_name(text)
        if name:
            spellings = counts.setdefault(name.casefold(), {})
            spellings[name] = spellings.get(name, 0) + 1
    return {
        key: min(spellings, key=lambda name: (-spellings[name], not name[:1].isupper(), name))
        for key, spellings in counts.items()
    }
