"""Every record type and action code the code writes to the access log has
a Swedish label (audit.labels): the log review reads Swedish, not
`reports.drilldown` or `move_out`.

The scan reads the source of every project app (not tests or migrations)
with `ast`: record types written as literals (`object_type="…"`,
`*_OBJECT_TYPE = "…"`) and the notes of the calls that write access-log
rows (`log_access`, `log_list_access`, `log_export`, `save_tracked`):
literal codes whole, f-strings by their leading text. A new literal without
a label fails here with its file and line.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from audit import labels
from audit.models import AccessAction

ROOT = Path(settings.BASE_DIR)
APPS = ["core", "audit", "accounts", "referrals", "tenancies", "bolots", "reports", "logreview"]
LOGGING_CALLS = {"log_access", "log_list_access", "log_export", "save_tracked"}
# Words that are spelt the same in Swedish (checked by hand in locale/sv).
SAME_IN_SWEDISH = {"Signal", "Export"}


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if {"tests", "migrations"} & set(path.parts):
                continue
            yield path, ast.parse(path.read_text(), filename=str(path))


def _name(func):
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _literals(node):
    """The literal codes a note expression can be: a constant, both sides
    of a conditional, the leading text of an f-string or a `"…" + x`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return [node.values[0].value + "1"]  # the rest is a value: an id, a year
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
        return [node.left.value + "1"]
    return []


def written_codes():
    """{"object_types": {code: where}, "notes": {code: where}}"""
    found = {"object_types": {}, "notes": {}}
    for path, tree in _sources():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "object_type":
                        for code in _literals(keyword.value):
                            found["object_types"][code] = f"{where}:{node.lineno}"
                    if keyword.arg == "note" and _name(node.func) in LOGGING_CALLS:
                        for code in _literals(keyword.value):
                            if code:
                                found["notes"][code] = f"{where}:{node.lineno}"
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.endswith("OBJECT_TYPE"):
                        found["object_types"][node.value.value] = f"{where}:{node.lineno}"
    return found


def _swedish(text):
    with translation.override("sv"):
        swedish = str(text())
    with translation.override("en"):
        english = str(text())
    return swedish, english


def test_the_scan_finds_what_the_code_writes():
    """The scan is not empty: it finds record types and notes known to be
    written (so the tests below cannot pass by finding nothing)."""
    codes = written_codes()
    assert {"reports.drilldown", "bolots.worklist", "referrals.client.protected_address", "search"} <= set(
        codes["object_types"]
    )
    assert {"move_out", "move_in", "reassignment", "transfer accepted", "frequency_change 1"} <= set(codes["notes"])


@pytest.mark.parametrize("code", sorted(written_codes()["object_types"]))
def test_every_record_type_written_as_a_literal_has_a_swedish_label(code):
    assert code in labels.registered_object_types() or labels._model(code) is not None, (
        f"{code} ({written_codes()['object_types'][code]}) has no label: add it to the app's "
        "AppConfig.access_log_labels['object_types']"
    )
    swedish, english = _swedish(lambda: labels.object_type_label(code))
    assert swedish != code and swedish != english, f"{code}: {swedish!r} is not translated"


@pytest.mark.parametrize("code", sorted(written_codes()["notes"]))
def test_every_action_code_written_as_a_note_has_a_swedish_label(code):
    swedish, english = _swedish(lambda: labels.note_label(code))
    assert swedish != code, (
        f"note {code!r} ({written_codes()['notes'][code]}) has no label: add it to the app's "
        "AppConfig.access_log_labels['notes']"
    )
    assert swedish != english, f"{code}: {swedish!r} is not translated"


def _project_models():
    for app in APPS:
        config = apps.get_app_config(app)
        yield from config.get_models()


@pytest.mark.parametrize("model", list(_project_models()), ids=lambda model: model._meta.label_lower)
def test_every_model_record_type_reads_in_swedish(model):
    """Rows about a record (`log_access(ctx, action, record)`) carry the
    model's label as their type: its verbose name must be Swedish."""
    swedish, english = _swedish(lambda: labels.object_type_label(model._meta.label_lower))
    assert swedish != model._meta.label_lower
    assert swedish != english or swedish in SAME_IN_SWEDISH, (
        f"{model._meta.label_lower}: the verbose name {swedish!r} is not translated"
    )


@pytest.mark.parametrize("action", AccessAction.values)
def test_every_action_has_a_swedish_label(action):
    swedish, english = _swedish(lambda: labels.action_label(action))
    assert (swedish != english or swedish in SAME_IN_SWEDISH) and swedish != action


def test_every_order_step_has_a_label():
    """An order's lifecycle step is logged with the step as the note
    (referrals.services.orders._save): a variable the scan cannot read."""
    from referrals.models import OrderEvent

    for code in OrderEvent.Transition.values:
        swedish, english = _swedish(lambda code=code: labels.note_label(code))
        assert swedish != code and swedish != english, code


def test_the_read_recorders_note_names_the_page_in_swedish():
    with translation.override("sv"):
        assert labels.note_label("read by referrals:client_list") == "Visad på sidan: Klienter"
        assert labels.note_label("read by tenancies:client_tenancies") == "Visad på sidan: Boende"
        assert labels.note_label("read by bolots:visit_detail").startswith("Visad på sidan: ")


def test_changed_fields_are_named_in_swedish():
    with translation.override("sv"):
        assert labels.note_label("street_address, phone", "referrals.client") == "Ändrat: gatuadress, telefon"
        # Free text is shown as written.
        assert labels.note_label("Kvitterade vid inflyttningen.", "referrals.client") == "Kvitterade vid inflyttningen."
