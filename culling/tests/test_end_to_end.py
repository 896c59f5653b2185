"""Culling end to end, with the apps that react to it: a real run over the
hand-built golden data set (reports/tests/golden_data.py) culls whoever is
due, and afterwards

- the closed year's figures on the dashboard are what they were before
  (reports fixed the year when the run started), while the live count of
  that year has changed: the test could fail;
- the access log still has every row about the culled persons, but their
  name and number snapshots are the culling reference, the change history
  lost its values, and the hash chains verify intact (audit.redaction).
"""

import pytest
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.services import log_access
from audit.verification import run_verification
from culling.models import CandidateOutcome, CulledPerson, CullingCandidate
from culling.services.execution import execute_run
from culling.services.rules import current_rules
from culling.services.runs import approve_run, make_run
from referrals.models import Client
from reports.kpis import compute_kpis
from reports.models import YearSnapshot
from reports.tests.golden_data import build_golden_dataset

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]
YEAR = 2025


def _figures(kpis):
    return [(k.key, k.value, k.numerator, k.denominator, k.met) for k in kpis]


def test_a_culling_run_keeps_closed_years_and_redacts_the_log(client, ctx, unit, other_unit, manager):
    golden = build_golden_dataset(unit, other_unit)
    people = {name: obj for name, obj in golden.items() if isinstance(obj, Client)}
    # Every person in the unit was read once (a row with name and number).
    for person in people.values():
        log_access(ctx, AccessAction.UPDATE, person, note="test read")
    client.force_login(manager)
    url = reverse("reports:dashboard", args=[YEAR])
    before = client.get(url).context["kpis"]
    # The golden records were all entered today: with no waiting years,
    # everyone without an open record is due now.
    rules = current_rules()
    rules.years = 0
    rules.save()

    run = execute_run(ctx, approve_run(ctx, make_run(ctx, unit)).pk)

    culled_rows = CullingCandidate.objects.filter(run=run, outcome=CandidateOutcome.CULLED)
    references = set(culled_rows.values_list("reference", flat=True))
    assert references and CulledPerson.objects.filter(reference__in=references).count() == len(references)
    gone = [p for p in people.values() if not Client.objects.filter(pk=p.pk).exists()]
    kept = [p for p in people.values() if Client.objects.filter(pk=p.pk).exists()]
    assert gone and kept and len(gone) == len(references)

    # Closed year: fixed before anything was deleted, shown unchanged.
    assert YearSnapshot.objects.filter(unit=unit, year=YEAR).exists()
    after = client.get(url).context["kpis"]
    assert _figures(after) == _figures(before)
    assert _figures(compute_kpis(YEAR, unit)) != _figures(before)

    # The log keeps its rows; the culled persons' snapshots are references.
    for person in gone:
        rows = AccessLogEntry.objects.filter(client_id=person.pk)
        assert rows.exists()
        assert set(rows.values_list("client_label", flat=True)) <= references
        assert set(rows.values_list("client_number", flat=True)) == {""}
        changes = FieldChange.objects.filter(client_id=person.pk)
        assert set(changes.values_list("old_value", flat=True)) <= {""}
        assert set(changes.values_list("new_value", flat=True)) <= {""}
        text = str(list(AccessLogEntry.objects.filter(client_id=person.pk).values()))
        assert person.last_name not in text and person.personal_number not in text
    for person in kept:
        assert AccessLogEntry.objects.filter(client_id=person.pk, client_label=person.audit_label).exists()

    record, _reports = run_verification("test")
    assert record.ok, record.problems
