"""The record lists behind the figures (the dashboard's drill-down).

RECORD_LISTS maps a drill-down key (Figure.drilldown / KpiResult.drilldown)
to a RecordList: its title, the kind of record listed and `records(year,
unit)`, the queryset of exactly the records the figure counts. It is the
same Measure (common.py) as the aggregate, so the list and the number
cannot disagree. The caller applies the access rule by intersecting with
the model's `visible_to(user)`:

    records_for(key, year, unit) & Client.objects.visible_to(user)

or better `records_for(...).filter(pk__in=Model.objects.visible_to(user))`.
"""

from dataclasses import dataclass

from django.apps import apps

from . import (  # noqa: F401  (they register the measures)
    additional,
    caseload,
    decisions,
    evictions,
    housing,
    housing_first,
    rent,
    visits,
)
from .common import MEASURES

# Model kind -> "app_label.Model" of the records listed.
MODELS = {
    "tenancy": "tenancies.Tenancy",
    "client": "referrals.Client",
    "order": "referrals.Order",
    "decision": "referrals.Decision",
    "notice": "referrals.EvictionNotice",
    "visit": "bolots.Visit",
    "enrolment": "bolots.Enrolment",
    # Apartments empty for over 60 days (occupancy.py): no person in the list.
    "apartment": "tenancies.Apartment",
    # Housing First candidates (housing_first.py): a client, or an outreach
    # subject without a client file.
    "candidate": "referrals.HousingFirstCandidate",
}


@dataclass(frozen=True)
class RecordList:
    key: str
    title: str
    kind: str
    measure: object

    @property
    def model(self):
        return apps.get_model(MODELS[self.kind])

    def records(self, year, unit=None):
        return self.measure.records(year, unit)

    def __call__(self, year, unit=None):
        return self.records(year, unit)


RECORD_LISTS = {
    key: RecordList(key=key, title=measure.title, kind=measure.kind, measure=measure)
    for key, measure in MEASURES.items()
}


class UnknownRecordList(KeyError):
    """No record list by that key (a view turns it into a 404)."""


def records_for(key, year, unit=None):
    """The records behind drill-down `key` for `year` (and `unit`).
    Raises UnknownRecordList (a KeyError) for an unknown key."""
    try:
        record_list = RECORD_LISTS[key]
    except KeyError:
        raise UnknownRecordList(key) from None
    return record_list.records(year, unit)
