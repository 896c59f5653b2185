"""Factories for the provider side, shared by all bolots tests. Append new
helpers at the end."""

from datetime import datetime

import factory
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
