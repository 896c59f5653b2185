from datetime import date

import factory
from django.utils import timezone

from accounts.tests.factories import UnitFactory, UserFactory
from referrals.models import (
    ConcernReport,
    ContactAttempt,
    EvictionNotice,
    NoticeReason,
    NoticeSource,
    ReporterType,
)


class EvictionNoticeFactory(factory.django.DjangoModelFactory):
    """A landlord's termination for rent arrears about a person who is not a
    client (pass client=… for one who is)."""

    class Meta:
        model = EvictionNotice

    unit = factory.SubFactory(UnitFactory)
    received_on = date(2024, 5, 2)
    source = NoticeSource.LANDLORD_TERMINATION
    landlord = "Fiktiva Bostäder AB"
    tenant_name = factory.Sequence(lambda n: f"Påhittad Hyresgäst {n}")
    address = factory.Sequence(lambda n: f"Låtsasgatan {n + 1}, Vallentuna")
    reason = NoticeReason.RENT_ARREARS
    amount_owed = 1_250_000
    termination_date = date(2024, 5, 1)
    registered_by = factory.SubFactory(UserFactory, unit=factory.SelfAttribute("..unit"))


class ContactAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactAttempt

    notice = factory.SubFactory(EvictionNoticeFactory)
    at = factory.LazyFunction(timezone.now)
    by = factory.SelfAttribute("notice.registered_by")


class ConcernReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConcernReport

    unit = factory.SubFactory(UnitFactory)
    received_on = date(2024, 9, 10)
    reporter_type = ReporterType.NEIGHBOUR
    reporter = "Granne (anonym)"
    subject_name = factory.Sequence(lambda n: f"Man i 50-årsåldern nr {n}")
    subject_address = factory.Sequence(lambda n: f"Påhittade vägen {n + 1}")
    concern = "Fiktiv oro: grannen har inte synts till på länge och det luktar illa från lägenheten."
    registered_by = factory.SubFactory(UserFactory, unit=factory.SelfAttribute("..unit"))
