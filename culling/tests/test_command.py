"""manage.py cull: the dry-run list (same service and order as the page)
and the execution of an approved run."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from culling.models import CulledPerson, RunStatus
from culling.services.runs import approve_run, make_run
from referrals.models import Client

from .files import date_back, person

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]


def _out(*args):
    out = StringIO()
    call_command("cull", *args, stdout=out)
    return out.getvalue().splitlines()


def test_dry_run_prints_the_list_of_the_page_and_changes_nothing(ctx, unit, case_officer):
    newer = person(unit, case_officer)
    date_back(newer.pk, date(2020, 3, 1))
    older = person(unit, case_officer)
    date_back(older.pk, date(2019, 3, 1))
    research = person(unit, case_officer, birth=date(1971, 5, 15))
    date_back(research.pk, date(2018, 3, 1))
    lines = _out("--dry-run", "--unit", str(unit.pk))
    assert lines[0].split("\t") == ["unit", "status", "client_id", "last_entry", "due_on", "deadline", "records",
                                    "reasons"]
    rows = [line.split("\t") for line in lines[1:]]
    # Due first, oldest last entry first; then the kept ones with the reason.
    assert [(r[1], r[2]) for r in rows] == [("due", str(older.pk)), ("due", str(newer.pk)),
                                            ("kept", str(research.pk))]
    assert rows[0][3:6] == ["2019-03-01", "2024-03-01", "2025-12-31"]
    assert rows[2][7] == "Född på en forskningsdag"
    assert "Klienter: 1" in rows[0][6]
    # The page's run lists the same persons in the same order.
    run = make_run(ctx, unit)
    page_order = [c.client_id for c in run.candidates.order_by("status", "last_entry", "id")]
    assert page_order == [older.pk, newer.pk, research.pk]
    assert Client.objects.filter(pk__in=[older.pk, newer.pk]).count() == 2


def test_run_refuses_an_unapproved_run(ctx, unit, case_officer):
    due = person(unit, case_officer)
    date_back(due.pk, date(2019, 3, 1))
    run = make_run(ctx, unit)
    with pytest.raises(CommandError, match="inte godkänd"):
        call_command("cull", "--run", str(run.pk), stdout=StringIO())
    assert Client.objects.filter(pk=due.pk).exists()


def test_run_executes_an_approved_run(ctx, unit, case_officer):
    due = person(unit, case_officer)
    date_back(due.pk, date(2019, 3, 1))
    run = approve_run(ctx, make_run(ctx, unit))
    assert _out("--run", str(run.pk)) == ["1 culled, 0 skipped, 0 failed"]
    assert not Client.objects.filter(pk=due.pk).exists()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and CulledPerson.objects.count() == 1
