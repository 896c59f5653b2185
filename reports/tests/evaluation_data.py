"""A small, hand-counted data set for the evaluation PDF and run tests.

Unit `unit` in 2024–2025 (the figures in the comments are what the PDF must
show): one training apartment and one emergency apartment; a protected
client and an ordinary one; bolots-support orders, an outreach order about a
person without a client file, and visits of which some are cancelled.
Names and numbers here must never reach the PDF.
"""

from datetime import date, datetime

from django.utils import timezone

from bolots.models import CancelReason, VisitOutcome
from bolots.tests.factories import VisitFactory
from referrals.models import OrderKind, OrderState, ProtectionLevel
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_orders import accepted_order, make_pilot, outreach_order
from tenancies.models import ApartmentKind, EndReason, Tenure
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

PROTECTED_NAME = ("Hemliga", "Skyddadsdotter")
ORDINARY_NAME = ("Testa", "Klientsson")
OUTREACH_SUBJECT = "Man kallad Kalle Uppsöksson"


def moment(year, month, day, hour=10):
    return timezone.make_aware(datetime(year, month, day, hour, 0))


def build_evaluation_dataset(unit, case_officer):
    """Returns the clients and the pilots it made."""
    active = make_pilot(unit, "lotsanna", first_name="Anna", last_name="Lotsdotter")
    passive = make_pilot(unit, "lotsbo", first_name="Bo", last_name="Lotsson")
    protected = ClientFactory(
        unit=unit, first_name=PROTECTED_NAME[0], last_name=PROTECTED_NAME[1],
        protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
    )
    ordinary = ClientFactory(unit=unit, first_name=ORDINARY_NAME[0], last_name=ORDINARY_NAME[1])

    # Apartments: 2 training (rented + tenant-owner), 1 emergency.
    training = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, tenure=Tenure.RENTAL)
    ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, tenure=Tenure.MUNICIPAL_TENANT_OWNER)
    emergency = ApartmentFactory(unit=unit, kind=ApartmentKind.EMERGENCY, tenure=Tenure.RENTAL)
    # The ordinary client held the training apartment 2023 – June 2025 and
    # moved to own housing; the protected one has the emergency apartment
    # from 2025.
    TenancyFactory(apartment=training, client=ordinary, start_date=date(2023, 5, 1),
                   end_date=date(2025, 6, 30), end_reason=EndReason.OWN_HOUSING, created_by=case_officer)
    TenancyFactory(apartment=emergency, client=protected, start_date=date(2025, 2, 1), created_by=case_officer)

    # Orders: bolots support for both (2024 and 2025), one outreach in 2025.
    earlier = accepted_order(active, passive, client=ordinary, kind=OrderKind.BOLOTS_SUPPORT, ordered_by=case_officer,
                   sent_at=moment(2024, 3, 1), accepted_at=moment(2024, 3, 2))
    support = accepted_order(active, passive, client=protected, kind=OrderKind.BOLOTS_SUPPORT,
                             ordered_by=case_officer, sent_at=moment(2025, 2, 1), accepted_at=moment(2025, 2, 2))
    outreach = outreach_order(unit, case_officer, subject_name=OUTREACH_SUBJECT, sent_at=moment(2025, 4, 1),
                              state=OrderState.ACCEPTED, active_pilot=active, passive_pilot=passive,
                              accepted_at=moment(2025, 4, 1, 12))

    # Visits 2025: 3 done, 2 cancelled by the client (forgot; the protected
    # client is 20, a young adult), 1 nobody home. 2024: 1 done.
    for day in (3, 10, 17):
        VisitFactory(order=support, visited_at=moment(2025, 3, day), client_age=20)
    VisitFactory(order=support, visited_at=moment(2025, 4, 1), client_age=20,
                 outcome=VisitOutcome.CANCELLED_BY_CLIENT, cancel_reason=CancelReason.FORGOT)
    VisitFactory(order=support, visited_at=moment(2025, 5, 1), client_age=20,
                 outcome=VisitOutcome.CANCELLED_BY_CLIENT, cancel_reason=CancelReason.FORGOT)
    VisitFactory(order=outreach, client=None, visited_at=moment(2025, 4, 2), outcome=VisitOutcome.NOBODY_HOME)
    VisitFactory(order=earlier, visited_at=moment(2024, 6, 1), client_age=40)
    return {"clients": [protected, ordinary], "pilots": [active, passive]}


# --- A stand-in KPI engine ------------------------------------------------------------------------
# For the run and view tests, which are about the machinery, not the figures
# (test_evaluation_pdf checks the engine's real figures in the PDF).

from decimal import Decimal  # noqa: E402
from types import SimpleNamespace  # noqa: E402

from reports.kpis import CaseloadRow  # noqa: E402
from reports.kpis.result import Figure, FigureSection, KpiResult  # noqa: E402


def fake_kpis(year, unit=None):
    return (
        KpiResult(number=1, key="independent_housing", goal="Självständigt boende", target="Minst 50 %",
                  definition="Avslutade träningslägenhetskontrakt med eget boende / boende under året.",
                  value=Decimal("66.7"), previous=Decimal("12.5"), kind="percent", met=True,
                  numerator=2, denominator=3, previous_numerator=1, previous_denominator=8,
                  figures=(Figure("own", "Eget boende", 1, 1), Figure("takeover", "Övertagande", 1, 0))),
        KpiResult(number=6, key="non_executed", goal="Färre icke verkställda beslut", target="−50 %",
                  definition="Beslut som blev rapporteringsbara under året.", value=3, previous=4,
                  kind="count", met=False,
                  figures=(Figure("median", "Mediantid till verkställighet", Decimal("45.5"), 30, kind="days"),)),
        KpiResult(number=7, key="takeovers", goal="Övertagande av förstahandskontrakt", target="Redovisas",
                  definition="Övertaganden under året.", value=None, previous=None, kind="count", met=None),
    )


def fake_figures(year, unit=None):
    return (FigureSection("arrears", "Hyresskulder", (Figure("debt", "Skuld 31 december", 94_000_000, 0, kind="kr"),)),)


def fake_caseload(year, unit=None):
    return (CaseloadRow("Anna Lotsdotter", 38, 4, 42),)


FAKE_ENGINE = SimpleNamespace(compute_kpis=fake_kpis, additional_figures=fake_figures, caseload_per_pilot=fake_caseload)


def use_fake_engine(monkeypatch):
    """Hand the PDF FAKE_ENGINE's figures. For a closed year the PDF reads
    the kept figures (reports.year_figures.fresh_year), which a real count
    would fill: the fake engine stands in for them too (None: count live,
    here with the fake engine)."""
    from reports import evaluation

    monkeypatch.setattr(evaluation, "_engine", lambda: FAKE_ENGINE)
    monkeypatch.setattr(evaluation, "_kept", lambda unit, year, today: None)
