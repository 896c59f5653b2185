"""A hand-built file spanning every app's records about one person, and
the helper that dates it back (auto_now fields cannot be set on create)."""

from datetime import date, datetime, time

from django.db import models
from django.utils import timezone

from bolots.models import FrequencyChange
from bolots.tests.factories import (
    ChecklistFactory,
    HousingApplicationFactory,
    HousingSearchProfileFactory,
    QueueRegistrationFactory,
    SignalFactory,
    VisitFactory,
    attend_directly,
    enrol_directly,
    make_course_round,
)
from core import personnummer
from culling.registry import sources
from referrals.models import OrderState
from referrals.models.orders import OrderEvent, ReassignedOrder, Reassignment
from referrals.models.transfers import TransferRequest, TransferState
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_decisions import DecisionFactory, InterruptionFactory, OfferFactory, PlanFactory
from referrals.tests.factories_notices import ConcernReportFactory, ContactAttemptFactory, EvictionNoticeFactory
from referrals.tests.factories_orders import OrderFactory
from tenancies.models import EndReason
from tenancies.tests.factories import ApartmentFactory, ComplaintFactory, TenancyFactory, add_income, add_insurance

_serial = iter(range(1, 999))


def person(unit, officer, birth=date(1970, 3, 14), **fields):
    return ClientFactory(unit=unit, responsible_officer=officer,
                         personal_number=personnummer.make_number(birth, next(_serial)), **fields)


def full_file(unit, officer, pilot, second_pilot, other_unit, *, birth=date(1970, 3, 14)):
    """A person with a record of every kind culling knows, all closed."""
    client = person(unit, officer, birth)
    decision = DecisionFactory(client=client, decided_by=officer, decided_on=date(2018, 2, 1),
                               executed_on=date(2018, 3, 1), closed_on=date(2019, 1, 1))
    InterruptionFactory(decision=decision)
    OfferFactory(decision=decision)
    plan = PlanFactory(client=client, created_by=officer)
    plan.goals.create(text="Fiktivt mål")
    plan.actions.create(description="Fiktiv åtgärd", responsible="Handläggaren")
    plan.reviews.create(reviewed_on=date(2018, 6, 1), reviewed_by=officer, notes="Fiktiv uppföljning")
    order = OrderFactory(unit=unit, client=client, ordered_by=officer, active_pilot=pilot,
                         passive_pilot=second_pilot, state=OrderState.COMPLETED,
                         accepted_at=timezone.now(), completed_at=timezone.now())
    OrderEvent.objects.create(order=order, by=officer, transition=OrderEvent.Transition.choices[0][0])
    moved = Reassignment.objects.create(by=officer, scope=Reassignment.Scope.PILOT, from_user=pilot,
                                        to_user=second_pilot, reason="Fiktiv omfördelning")
    ReassignedOrder.objects.create(reassignment=moved, order=order, to_user=second_pilot,
                                   place=ReassignedOrder.Place.choices[0][0])
    FrequencyChange.objects.create(order=order, interval="monthly", changed_on=date(2018, 5, 1),
                                   reason="Fiktivt", changed_by=pilot)
    visit = VisitFactory(order=order)
    ChecklistFactory(visit=visit)
    SignalFactory(visit=visit, acknowledged_at=timezone.now(), acknowledged_by=officer)
    notice = EvictionNoticeFactory(unit=unit, client=client, registered_by=officer, outcome="prevented_paid",
                                   outcome_on=date(2018, 6, 1))
    ContactAttemptFactory(notice=notice, by=officer)
    ConcernReportFactory(unit=unit, client=client, registered_by=officer)
    TransferRequest.objects.create(client=client, holding_unit=unit, requesting_unit=other_unit,
                                   requested_by=officer, reason="Fiktiv", state=TransferState.DECLINED)
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client, created_by=officer,
                             start_date=date(2017, 1, 1), end_date=date(2018, 12, 31),
                             end_reason=EndReason.OWN_HOUSING)
    add_insurance(tenancy, valid_until=date(2019, 12, 31), valid_from=date(2017, 1, 1))
    add_income(tenancy, valid_from=date(2017, 1, 1))
    ComplaintFactory(apartment=tenancy.apartment, tenancy=tenancy, registered_by=officer)
    course = make_course_round(unit, [pilot], starts_on=date(2018, 3, 5))
    enrolment = enrol_directly(course, client, completed_on=date(2018, 4, 1))
    attend_directly(enrolment, 1)
    HousingSearchProfileFactory(client=client)
    QueueRegistrationFactory(client=client, registered_since=date(2017, 1, 1), ended_on=date(2018, 1, 1))
    HousingApplicationFactory(client=client, applied_on=date(2018, 2, 1))
    _rent_records(tenancy, officer, pilot)
    _chain_records(client, decision, order, tenancy, officer)
    return client


def _chain_records(client, decision, order, tenancy, officer):
    """The housing chain's records of the person (issue 15): a declined
    apartment offer, a Housing First candidacy with its assessment and
    place in a steering group's order, and links to another file and to an
    outreach order."""
    from referrals.models import (
        CandidateAssessment,
        HousingFirstCandidate,
        PersonLink,
        PersonLinkKind,
        SteeringDecision,
        SteeringPriority,
    )
    from tenancies.models import ApartmentOffer, OfferState

    ApartmentOffer.objects.create(
        apartment=tenancy.apartment, decision=decision, offered_on=date(2018, 2, 10), move_in_on=date(2018, 3, 1),
        answer_by=date(2018, 2, 17), state=OfferState.DECLINED, answered_on=date(2018, 2, 15), decline_reason="area",
        made_by=officer,
    )
    candidate = HousingFirstCandidate.objects.create(
        unit=client.unit, client=client, source="unit", proposed_by=officer, proposed_on=date(2018, 1, 5),
        situation="1", needs="Fiktiva behov",
    )
    CandidateAssessment.objects.create(candidate=candidate, met_on=date(2018, 1, 20), notes="Fiktiv bedömning",
                                       recommendation="recommend", recorded_by=officer)
    steering = SteeringDecision.objects.create(unit=client.unit, decided_on=date(2018, 2, 1), decided_by=officer)
    SteeringPriority.objects.create(steering_decision=steering, candidate=candidate, position=1)
    other = person(client.unit, officer, date(1971, 4, 15))
    PersonLink.objects.create(client=client, other_client=other, kind=PersonLinkKind.NOT_SAME, linked_by=officer)
    PersonLink.objects.create(client=client, order=order, kind=PersonLinkKind.SAME_PERSON, linked_by=officer)


def _rent_records(tenancy, officer, pilot):
    """The rent ledger's records of the tenancy: a notice with its lines, a
    charge, a rate, a payment, a credit note and a write-off each settling
    part of it, a repayment plan with a judged instalment, and a
    termination for arrears with a signed delivery."""
    from rent.models import (
        Allocation,
        ArrearsTermination,
        Charge,
        CreditNote,
        LetterDelivery,
        NoticeLine,
        Payment,
        PlanInstalment,
        RentNotice,
        RentRate,
        RepaymentPlan,
        WriteOff,
    )
    from rent.ocr import notice_reference

    month = date(2018, 6, 1)
    notice = RentNotice.objects.create(tenancy=tenancy, period=month, issued_on=date(2018, 5, 20),
                                       due_date=date(2018, 5, 31), amount=600000, booked_month=month)
    notice.ocr = notice_reference(notice.pk)
    notice.save(update_fields=["ocr"])
    charge = Charge.objects.create(tenancy=tenancy, kind="keys", text="Fiktiv nyckel", amount=50000,
                                   charged_on=date(2018, 5, 2), notice=notice, created_by=officer)
    plan = RepaymentPlan.objects.create(tenancy=tenancy, debt=100000, monthly_amount=50000, start_month=month,
                                        end_month=date(2018, 7, 1), created_by=officer)
    NoticeLine.objects.create(notice=notice, kind="rent", text="Hyra", amount=500000)
    NoticeLine.objects.create(notice=notice, kind="charge", text="Fiktiv nyckel", amount=50000, charge=charge)
    NoticeLine.objects.create(notice=notice, kind="instalment", text="Avbetalning", amount=50000, plan=plan)
    PlanInstalment.objects.create(plan=plan, month=month, amount=50000, outcome="kept", judged_on=date(2018, 6, 6))
    RentRate.objects.create(tenancy=tenancy, valid_from=date(2018, 1, 1), monthly_rent=500000, created_by=officer)
    payment = Payment.objects.create(unit=tenancy.apartment.unit, tenancy=tenancy, source="transfer",
                                     paid_on=date(2018, 5, 30), amount=400000, note="Fiktiv", booked_month=month)
    credit = CreditNote.objects.create(tenancy=tenancy, notice=notice, credited_on=date(2018, 6, 2), amount=50000,
                                       reason="Fiktiv", booked_month=month, created_by=officer)
    write_off = WriteOff.objects.create(tenancy=tenancy, notice=notice, written_off_on=date(2018, 6, 3),
                                        amount=50000, reason="Fiktiv", booked_month=month, created_by=officer)
    Allocation.objects.create(notice=notice, amount=400000, on=date(2018, 5, 30), payment=payment)
    Allocation.objects.create(notice=notice, amount=50000, on=date(2018, 6, 2), credit_note=credit)
    Allocation.objects.create(notice=notice, amount=50000, on=date(2018, 6, 3), write_off=write_off)
    termination = ArrearsTermination.objects.create(tenancy=tenancy, decided_on=date(2018, 6, 10),
                                                    amount_owed=100000, status="lapsed", created_by=officer)
    LetterDelivery.objects.create(termination=termination, letter="termination", method="by_hand",
                                  delivered_on=date(2018, 6, 11), delivered_by=pilot, signed_at=timezone.now(),
                                  recorded_by=pilot)


def date_back(client_id, day: date):
    """Set every entry date of every record of the person to `day` (and the
    reassignment that names their order), through update(): auto_now and
    auto_now_add fields cannot be set otherwise."""
    moment = timezone.make_aware(datetime.combine(day, time(12, 0)))
    for source in sources():
        rows = source.for_clients([client_id])
        direct = [name for name in source.dates if "__" not in name]
        for name in source.dates:
            if "__" in name:
                related, _sep, attr = name.partition("__")
                target = source.model._meta.get_field(related).related_model
                target.objects.filter(pk__in=list(rows.values_list(related, flat=True))).update(**{attr: moment})
        # All of a row's fields in one update: check constraints compare them.
        for row in list(rows.values("pk", *direct)):
            values = {}
            for name in direct:
                if row[name] is not None:
                    field = source.model._meta.get_field(name)
                    values[name] = moment if isinstance(field, models.DateTimeField) else day
            if values:
                source.model._default_manager.filter(pk=row["pk"]).update(**values)


def remaining(client_id):
    """{kind: rows still pointing at the person} for every declared source."""
    return {s.kind: s.for_clients([client_id]).count() for s in sources()
            if s.for_clients([client_id]).exists()}
