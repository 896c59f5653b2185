"""Factories for the provider side, shared by all bolots tests. Append new
helpers at the end."""

from datetime import datetime

import factory
from django.db.models import F
from django.utils import timezone

from bolots.models import Visit, VisitKind, VisitOutcome


class VisitFactory(factory.django.DjangoModelFactory):
    """A done look-in on `order` by its active bolots; pass order=..."""

    class Meta:
        model = Visit

    client = factory.LazyAttribute(lambda visit: visit.order.client)
    visited_at = factory.LazyFunction(lambda: timezone.make_aware(datetime(2026, 3, 2, 10, 0)))
    kind = VisitKind.LOOK_IN
    outcome = VisitOutcome.DONE
    active_pilot = factory.LazyAttribute(lambda visit: visit.order.active_pilot)
    passive_pilot = factory.LazyAttribute(lambda visit: visit.order.passive_pilot)
    logged_by = factory.LazyAttribute(lambda visit: visit.order.active_pilot)


# --- Worklist and visit frequency ----------------------------------------------


class FrequencyChangeFactory(factory.django.DjangoModelFactory):
    """A change of `order`'s look-in frequency, written directly (tests of the
    rules go through bolots.services.frequency.change_frequency)."""

    class Meta:
        model = "bolots.FrequencyChange"

    interval = "monthly"
    changed_on = factory.LazyFunction(timezone.localdate)
    reason = "Allt fungerar, överenskommet med klienten."
    changed_by = factory.LazyAttribute(lambda change: change.order.active_pilot)


# --- Visits area: checklists, signals and the visit form's POST data ------------------
# (Imported here so that this section only appends to the shared module.)

from bolots.models import ChecklistAnswer, Signal, SignalKind, VisitChecklist  # noqa: E402


class ChecklistFactory(factory.django.DjangoModelFactory):
    """A checklist with every item in order; pass visit=..."""

    class Meta:
        model = VisitChecklist

    rent_paid = ChecklistAnswer.YES
    insurance_valid = ChecklistAnswer.YES
    housing_search_active = ChecklistAnswer.YES
    treatment_followed = ChecklistAnswer.NOT_APPLICABLE


class SignalFactory(factory.django.DjangoModelFactory):
    """An unacknowledged rent signal from `visit` to the client's case officer."""

    class Meta:
        model = Signal

    kind = SignalKind.RENT_UNPAID
    client = factory.LazyAttribute(lambda signal: signal.visit.client)
    recipient = factory.LazyAttribute(lambda signal: signal.visit.client.responsible_officer)
    text = "Kvitto saknas för månadens hyra."


def visit_form_data(active_pilot, passive_pilot=None, *, visited_at=None, checklist=None, **fields):
    """POST data of the visit form (bolots.forms.visits): a done look-in now
    by `active_pilot` (and `passive_pilot`), with `checklist` answers given
    as {field: value} without the "checklist-" prefix."""
    when = timezone.localtime(visited_at or timezone.now())
    data = {
        "visited_at": when.strftime("%Y-%m-%dT%H:%M"),
        "active_pilot": active_pilot.pk,
        "passive_pilot": passive_pilot.pk if passive_pilot else "",
        "kind": VisitKind.LOOK_IN,
        "outcome": VisitOutcome.DONE,
        "cancel_reason": "",
        "cancel_reason_text": "",
        "notes": "",
        **fields,
    }
    for name, value in (checklist or {}).items():
        data[f"checklist-{name}"] = value
    return data


# --- Housing search and housing course --------------------------------------------
# (Imported here so that this section only appends to the shared module.)

from datetime import date, time, timedelta  # noqa: E402

from bolots.models import (  # noqa: E402
    DEFAULT_SESSION_TOPICS,
    Attendance,
    CourseRound,
    CourseSession,
    Enrolment,
    HousingApplication,
    HousingSearchProfile,
    QueueRegistration,
)


class HousingSearchProfileFactory(factory.django.DjangoModelFactory):
    """A search record; pass client=..."""

    class Meta:
        model = HousingSearchProfile

    nationwide = False
    notes = "Söker tvåor i kommunen."


class QueueRegistrationFactory(factory.django.DjangoModelFactory):
    """A current queue registration; pass client=..."""

    class Meta:
        model = QueueRegistration

    queue = factory.Sequence(lambda n: f"Bostadskö {n + 1}")
    registered_since = date(2024, 1, 15)


class HousingApplicationFactory(factory.django.DjangoModelFactory):
    """A pending application; pass client=..."""

    class Meta:
        model = HousingApplication

    applied_on = date(2026, 2, 1)
    where = factory.Sequence(lambda n: f"Fiktiva Bostäder AB, annons {n + 1}")


def make_course_round(unit, leaders, starts_on=date(2026, 3, 2), *, capacity=6, place="Träffpunkten",
                      starts_at=time(13, 0)):
    """A round with its four sessions a week apart, written directly (the
    creating service is tested in test_course_services)."""
    course_round = CourseRound.objects.create(unit=unit, starts_on=starts_on, place=place, capacity=capacity)
    course_round.leaders.set(leaders)
    CourseSession.objects.bulk_create(
        [
            CourseSession(round=course_round, number=i + 1, held_on=starts_on + timedelta(weeks=i),
                          starts_at=starts_at, topic=str(topic))
            for i, topic in enumerate(DEFAULT_SESSION_TOPICS)
        ]
    )
    return course_round


def enrol_directly(course_round, client, enrolled_on=None, completed_on=None):
    """An enrolment written directly, without the eligibility rules."""
    return Enrolment.objects.create(
        round=course_round, client=client, enrolled_on=enrolled_on or course_round.starts_on,
        completed_on=completed_on,
    )


def attend_directly(enrolment, number, *, attended=True, made_up_on=None):
    """Attendance at session `number` written directly (no completion update),
    moving the enrolment's version on as a save through the service does."""
    session = enrolment.round.sessions.get(number=number)
    type(enrolment).objects.filter(pk=enrolment.pk).update(version=F("version") + 1)
    return Attendance.objects.create(enrolment=enrolment, session=session, attended=attended, made_up_on=made_up_on)


def training_tenancy(client, start, end=None, **kwargs):
    """A tenancy of `client` in a new training apartment of the client's unit."""
    from tenancies.models import EndReason
    from tenancies.tests.factories import ApartmentFactory, TenancyFactory

    return TenancyFactory(
        apartment=ApartmentFactory(unit=client.unit), client=client, start_date=start, end_date=end,
        end_reason=EndReason.OWN_HOUSING if end else "", **kwargs,
    )
