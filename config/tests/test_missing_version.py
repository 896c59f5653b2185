"""An edit posted without its optimistic-lock version is a
conflict, never an overwrite: the views fell back to the stored version
(`cleaned_data["version"] or record.version`), so a form without the field
silently saved over whatever was newest. One case per form that carries a
version (core.forms.VersionedFormMixin; the housing search and the course
carried content fingerprints before issue 11, the complaint's action taken
the text it was opened with)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bolots.models import QueueRegistration, Visit
from bolots.tests.factories import HousingApplicationFactory, QueueRegistrationFactory, VisitFactory, make_course_round
from config.tests import posting
from config.tests.posting import post_data
from referrals.models import Client, ConcernReport, Decision, DecisionKind, EvictionNotice, OrderKind, OrderState
from referrals.tests.factories_notices import ConcernReportFactory, EvictionNoticeFactory
from referrals.tests.factories_orders import accepted_order, make_pilot
from reports.models import EnforcementFigures
from tenancies.models import Apartment, ApartmentStatus, Complaint, Tenancy
from tenancies.tests.factories import ApartmentFactory, ComplaintFactory, TenancyFactory, granted_decision

pytestmark = pytest.mark.django_db

def page_data(response, names):
    """The post data of every form the page shows under `names`."""
    data = {}
    for name in names.split():
        forms_shown = response.context[name]
        for form in forms_shown if isinstance(forms_shown, list | tuple) else [forms_shown]:
            data.update(post_data(form))
    return data


def without_lock(data):
    stripped = posting.without_lock(data)
    assert len(stripped) < len(data), "the form carried a version or fingerprint"
    return stripped


def _client(ctx):
    record = ctx["client_record"]
    return reverse("referrals:client_edit", args=[record.pk]), "case_officer", "form", \
        lambda: Client.objects.get(pk=record.pk).version


def _decision(ctx):
    decision = granted_decision(ctx["client_record"], kind=DecisionKind.BOLOTS_SUPPORT, decided_by=ctx["case_officer"])
    return reverse("referrals:decision_edit", args=[decision.pk]), "case_officer", "form", \
        lambda: Decision.objects.get(pk=decision.pk).version


def _notice(ctx):
    notice = EvictionNoticeFactory(unit=ctx["unit"], registered_by=ctx["case_officer"])
    return reverse("referrals:notice_edit", args=[notice.pk]), "case_officer", "form", \
        lambda: EvictionNotice.objects.get(pk=notice.pk).version


def _concern(ctx):
    concern = ConcernReportFactory(unit=ctx["unit"], registered_by=ctx["case_officer"])
    return reverse("referrals:concern_edit", args=[concern.pk]), "case_officer", "form", \
        lambda: ConcernReport.objects.get(pk=concern.pk).version


def _apartment(ctx):
    apartment = ApartmentFactory(unit=ctx["unit"])
    return reverse("tenancies:apartment_edit", args=[apartment.pk]), "housing_admin", "form", \
        lambda: Apartment.objects.get(pk=apartment.pk).version


def _complaint(ctx):
    complaint = ComplaintFactory(apartment=ApartmentFactory(unit=ctx["unit"]), action_taken="Brev skickat.")
    return reverse("tenancies:complaint_action", args=[complaint.pk]), "housing_admin", "form", \
        lambda: Complaint.objects.get(pk=complaint.pk).action_taken


def _tenancy(ctx):
    return TenancyFactory(
        apartment=ApartmentFactory(unit=ctx["unit"], status=ApartmentStatus.OCCUPIED),
        client=ctx["client_record"], start_date=date(2023, 1, 1), created_by=ctx["case_officer"],
    )


def _terms(ctx):
    tenancy = _tenancy(ctx)
    return reverse("tenancies:tenancy_terms", args=[tenancy.pk]), "case_officer", "form", \
        lambda: Tenancy.objects.get(pk=tenancy.pk).version


def _move_out(ctx):
    tenancy = _tenancy(ctx)
    page = reverse("tenancies:tenancy_detail", args=[tenancy.pk])
    return (page, reverse("tenancies:tenancy_move_out", args=[tenancy.pk])), "case_officer", "move_out_form", \
        lambda: Tenancy.objects.get(pk=tenancy.pk).version


def _enforcement(ctx):
    EnforcementFigures.objects.create(
        municipality=ctx["unit"].municipality, year=2024, eviction_applications=6, executed_evictions=3,
        children_affected=0, entered_by=ctx["manager"],
    )
    return reverse("reports:enforcement_edit", args=[2024]), "manager", "form", \
        lambda: EnforcementFigures.objects.get(year=2024).version


def _course(ctx):
    course_round = make_course_round(ctx["unit"], [ctx["pilot"]], date(2026, 3, 2))
    before = course_round.updated_at if hasattr(course_round, "updated_at") else None
    return reverse("bolots:course_edit", args=[course_round.pk]), "pilot", "form session_forms", \
        lambda: (type(course_round).objects.get(pk=course_round.pk).place, before)


def _queue(ctx):
    accepted_order(ctx["pilot"], make_pilot(ctx["unit"], "bolots_passiv"), client=ctx["client_record"])
    row = QueueRegistrationFactory(client=ctx["client_record"], queue="Bostadsförmedlingen")
    return reverse("bolots:queue_edit", args=[ctx["client_record"].pk, row.pk]), "pilot", "form", \
        lambda: QueueRegistration.objects.get(pk=row.pk).queue


def _application(ctx):
    accepted_order(ctx["pilot"], make_pilot(ctx["unit"], "bolots_passiv"), client=ctx["client_record"])
    row = HousingApplicationFactory(client=ctx["client_record"], where="Fiktiva Bostäder, Ryd")
    return reverse("bolots:application_edit", args=[ctx["client_record"].pk, row.pk]), "pilot", "form", \
        lambda: type(row).objects.get(pk=row.pk).where


def _risks(ctx):
    # The assigned bolots updates the client's risk information (issue 12).
    record = ctx["client_record"]
    accepted_order(ctx["pilot"], make_pilot(ctx["unit"], "bolots_passiv"), client=record)
    return reverse("referrals:client_risk_edit", args=[record.pk]), "pilot", "form", \
        lambda: Client.objects.get(pk=record.pk).risk_notes


def _visit(ctx):
    order = accepted_order(ctx["pilot"], make_pilot(ctx["unit"], "bolots_passiv"), client=ctx["client_record"],
                           kind=OrderKind.BOLOTS_SUPPORT, state=OrderState.IN_PROGRESS,
                           sent_at=timezone.now() - timedelta(days=10))
    visit = VisitFactory(order=order, visited_at=timezone.now().replace(second=0, microsecond=0) - timedelta(days=2))
    return reverse("bolots:visit_edit", args=[visit.pk]), "pilot", "form", \
        lambda: Visit.objects.get(pk=visit.pk).version


CASES = {
    "visit": _visit,
    "client": _client, "risks": _risks, "decision": _decision, "notice": _notice, "concern": _concern, "apartment": _apartment,
    "complaint": _complaint, "terms": _terms, "move_out": _move_out, "enforcement": _enforcement, "course": _course,
    "queue": _queue, "application": _application,
}
# Text fields changed in the post, so a save would show.
CHANGED = {"risk_notes": "Ändrad risk", "place": "Ändrat ställe", "queue": "Ändrad kö", "where": "Ändrat ställe", "action_taken": "Ändrad åtgärd"}


@pytest.mark.parametrize("case", CASES)
def test_an_edit_without_its_version_is_a_conflict_not_an_overwrite(client, unit, case_officer, housing_admin,
                                                                   manager, pilot, client_record, case):
    ctx = {"unit": unit, "case_officer": case_officer, "housing_admin": housing_admin, "manager": manager,
           "pilot": pilot, "client_record": client_record}
    urls, role, form_name, stored = CASES[case](ctx)
    page, target = urls if isinstance(urls, tuple) else (urls, urls)
    client.force_login(ctx[role])
    shown = client.get(page)
    assert shown.status_code == 200
    data = without_lock(page_data(shown, form_name))
    for name in list(data):
        if name.split("-")[-1] in CHANGED:
            data[name] = CHANGED[name.split("-")[-1]]
    if case == "move_out":
        data.update({"move_out-end_date": "2024-06-30", "move_out-end_reason": "own_housing"})
    before = stored()

    response = client.post(target, data)

    assert response.status_code == 200, "refused and shown again, not saved and redirected"
    assert stored() == before, "nothing was written"


@pytest.mark.parametrize("case", CASES)
def test_the_same_edit_with_its_version_saves(client, unit, case_officer, housing_admin, manager, pilot,
                                             client_record, case):
    """The control: the post above is a valid edit, refused only for the missing version."""
    ctx = {"unit": unit, "case_officer": case_officer, "housing_admin": housing_admin, "manager": manager,
           "pilot": pilot, "client_record": client_record}
    urls, role, form_name, stored = CASES[case](ctx)
    page, target = urls if isinstance(urls, tuple) else (urls, urls)
    client.force_login(ctx[role])
    data = page_data(client.get(page), form_name)
    for name in list(data):
        if name.split("-")[-1] in CHANGED:
            data[name] = CHANGED[name.split("-")[-1]]
    if case == "move_out":
        data.update({"move_out-end_date": "2024-06-30", "move_out-end_reason": "own_housing"})
    before = stored()

    response = client.post(target, data)

    form = response.context[form_name.split()[0]] if response.status_code == 200 else None
    assert response.status_code == 302, (form.errors if form is not None else None, data)
    assert stored() != before
