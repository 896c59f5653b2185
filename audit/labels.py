"""The access log in plain Swedish: what a row's record type, action and
note mean, for the log review (issue 12, "the access log speaks system
terms").

The rows store codes (`reports.drilldown`, `move_out`), which stay as they
are: they are evidence and the chain hashes them. Only the page translates.
audit sits below the apps that write the log and cannot name them, so each
app declares its own labels on its AppConfig, like the other registries
(docs/architecture.md, "Layers"):

    access_log_labels = {
        "object_types": {"reports.drilldown": _("Result list (dashboard)")},
        "notes": {"move_out": _("Move-out"), "frequency_change ": _("…")},
    }

- `object_types`: record types written as literals (`object_type="…"`). A
  record type that is a model label (`tenancies.tenancy`) needs no entry:
  the model's own (translated) verbose name is used.
- `notes`: codes written as the note of a row (`note="move_out"`), matched
  whole; a key ending in a space or colon is a prefix (the rest of the note,
  an id or a year, is kept after the label; after a key ending in "#" it
  follows the label directly: "order #" + "12").

`audit/tests/test_labels.py` scans the code for every literal record type
and note code and fails when one has no label here or in a registry.
"""

from __future__ import annotations

from functools import lru_cache

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import AccessAction

# audit's own rows (searches, the log's export) and the read recorder's note.
AUDIT_LABELS = {
    "object_types": {
        "search": _("A search"),
        "audit.accesslogentry": _("Access log"),
    },
    "notes": {
        "read by ": _("Shown on the page"),
        "read": _("Shown on a page"),
        "search ": _("Search"),
        "annulled": _("Annulled"),
        "duty:": _("Read in a duty"),
    },
}


@lru_cache(maxsize=1)
def _registry() -> tuple[dict, dict, dict]:
    """(record types, note codes, page names) of every installed app: the
    registered labels, and the menu and client-tab labels of url names
    (which the read recorder's notes name)."""
    object_types, notes, pages = dict(AUDIT_LABELS["object_types"]), dict(AUDIT_LABELS["notes"]), {}
    for config in apps.get_app_configs():
        labels = getattr(config, "access_log_labels", None) or {}
        object_types.update(labels.get("object_types", {}))
        notes.update(labels.get("notes", {}))
        for entry in [*getattr(config, "navigation", []), *getattr(config, "client_tabs", [])]:
            if isinstance(entry, dict) and entry.get("url_name") and entry.get("label"):
                pages.setdefault(entry["url_name"], entry["label"])
    return object_types, notes, pages


def registered_object_types() -> dict:
    return _registry()[0]


def registered_notes() -> dict:
    return _registry()[1]


@lru_cache(maxsize=1)
def _note_prefixes() -> tuple[str, ...]:
    """The note keys that are prefixes, the longest first (sorted once, not
    for every row of the log page)."""
    notes = _registry()[1]
    return tuple(sorted((key for key in notes if key.endswith((" ", ":", ";", "#"))), key=len, reverse=True))


def _model(object_type: str):
    """The model a record type names (a model label), or None."""
    if object_type.count(".") != 1:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    """The record type in Swedish; the code itself when nothing names it
    (the tests make sure that never happens for a type the code writes)."""
    registered = registered_object_types().get(object_type)
    if registered is not None:
        return str(registered)
    model = _model(object_type)
    if model is not None:
        return str(capfirst(model._meta.verbose_name))
    return object_type


def action_label(action: str) -> str:
    try:
        return str(AccessAction(action).label)
    except ValueError:
        return action


def _fields_label(object_type: str, note: str) -> str | None:
    """A note that lists changed fields (audit.tracked's default) as their
    names in Swedish: "Changed: street address, phone"."""
    model = _model(object_type)
    if model is None:
        return None
    names = [name.strip() for name in note.split(",")]
    fields = {field.name: field for field in model._meta.get_fields() if hasattr(field, "verbose_name")}
    if any(name not in fields for name in names):
        return None
    return f"{_('Changed')}: {', '.join(str(fields[name].verbose_name) for name in names)}"


def note_label(note: str, object_type: str = "") -> str:
    """A row's note in Swedish where it is a code; free text (a reason
    typed by a user, a filter description) is shown as written."""
    if not note:
        return ""
    _types, notes, pages = _registry()
    if note in notes:
        return str(notes[note])
    key = next((key for key in _note_prefixes() if note.startswith(key)), None)
    if key is not None:
        rest = note[len(key):].strip()
        if key == "read by ":
            # "read by referrals:client_list; search …": the page's menu name.
            page, _sep, more = rest.partition(";")
            rest = str(pages.get(page.strip(), page.strip())) + (f";{more}" if more else "")
        if key == "duty:":
            # "duty:log-review; read by …": the duty's page name, then the rest.
            _code, _sep, more = rest.partition(";")
            more = note_label(more.strip(), object_type)
            return f"{notes[key]}; {more}" if more else str(notes[key])
        if key.endswith("#"):  # "order #12": the label ends with "#" too
            return f"{notes[key]}{rest}"
        return f"{notes[key]}: {rest}" if rest else str(notes[key])
    return _fields_label(object_type, note) or note


def describe(entry) -> dict[str, str]:
    """The three texts of one log row on the page."""
    return {
        "action": action_label(entry.action),
        "object_type": object_type_label(entry.object_type),
        "note": note_label(entry.note, entry.object_type),
    }
