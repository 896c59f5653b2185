"""One CSV writer for every export (core.exports), neutralising formulas.
The access-log export wrote cells starting with = as they were."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from core.exports import csv_text, neutralise
from referrals.tests.factories import ClientFactory

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_cells_get_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["-5", "-12,5 %", "-1 234 kr", "Anna", "", "1 200", "a=b"])
def test_plain_values_and_numbers_stay(value):
    assert neutralise(value) == value


def test_none_is_an_empty_cell():
    assert neutralise(None) == ""


def test_the_dialect_is_swedish_excel():
    text = csv_text(["Namn", "Värde"], [["=1", "12,5"]])
    assert text == "\ufeffNamn;Värde\r\n'=1;12,5\r\n"


def test_no_export_writes_csv_past_the_shared_writer():
    """A source property: `csv.writer` appears only in core/exports.py
    (tests and the import's reader excepted)."""
    offenders = []
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        parts = path.relative_to(settings.BASE_DIR).parts
        if parts[0] in (".venv", "node_modules", "bench") or "tests" in parts or "migrations" in parts:
            continue
        if path.name == "exports.py" and parts[0] == "core":
            continue
        if "csv.writer(" in path.read_text(encoding="utf-8"):
            offenders.append("/".join(parts))
    assert offenders == []


@pytest.mark.django_db
def test_the_access_log_export_neutralises_formulas(client, manager, case_officer, unit):
    hostile = ClientFactory(unit=unit, first_name="=HYPERLINK(\"http://x\")", last_name="@Evil")
    log_access(AuditContext(case_officer, "=cmd|'/C calc'!A0", "10.0.0.1"), AccessAction.VIEW, hostile,
               note="+SUM(1)")
    client.force_login(manager)

    response = client.post(reverse("audit:export"))

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    row = rows[1]
    assert row[3].startswith("'=HYPERLINK")
    assert row[7] == "'=cmd|'/C calc'!A0"
    assert row[9] == "'+SUM(1)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in rows for cell in line)
