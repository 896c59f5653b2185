"""Factories for the housing side, shared by all tenancies tests."""

from datetime import date

import factory

from accounts.roles import Role
from accounts.tests.factories import UnitFactory, UserFactory
from referrals.models import Decision, DecisionKind, DecisionOutcome, LegalReference
from referrals.tests.factories import ClientFactory
from tenancies.models import Apartment, ApartmentKind, ApartmentStatus, Area, Landlord, Tenancy, Tenure
from tenancies.services.tenancies import derive_programme_fields


class ApartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Apartment

    unit = factory.SubFactory(UnitFactory)
    object_number = factory.Sequence(lambda n: f"OBJ-{n:05d}")
    street_address = factory.Sequence(lambda n: f"Fiktiva gatan {n + 1}")
    postal_code = "186 30"
    area = "Centrum"
    rooms = 2
    size_m2 = 48
    kind = ApartmentKind.TRAINING
    tenure = Tenure.RENTAL
    landlord = "Kommunens fastighetsavdelning"
    monthly_cost = 650_000
    rent = 600_000
    status = ApartmentStatus.VACANT

    @classmethod
    def _entries(cls, kwargs):
        # Tests name areas and landlords as text ("Centrum"); they are the
        # unit's list entries (tenancies.models.lists), made on first use.
        for name, model in (("area", Area), ("landlord", Landlord)):
            value = kwargs.get(name)
            if isinstance(value, str):
                kwargs[name] = list_entry(model, kwargs["unit"], value) if value else None
        return kwargs

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return super()._create(model_class, *args, **cls._entries(kwargs))

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return super()._build(model_class, *args, **cls._entries(kwargs))


def list_entry(model, unit, name):
    """The unit's area or landlord called `name` (case ignored), made if missing."""
    entry = model.objects.filter(unit=unit, name__iexact=name).first()
    return entry or model.objects.create(unit=unit, name=name)


def granted_decision(client, kind=DecisionKind.TRAINING_APARTMENT, decided_on=date(2020, 1, 10), **extra):
    """A granted, unexecuted decision, created directly (the package rule of
    training apartments is the decisions service's to test)."""
    decided_by = extra.pop("decided_by", None) or UserFactory(unit=client.unit, roles=[Role.CASE_OFFICER])
    return Decision.objects.create(
        client=client,
        kind=kind,
        legal_basis=LegalReference.objects.order_by("pk").first(),
        applied_on=extra.pop("applied_on", decided_on),
        decided_on=decided_on,
        outcome=DecisionOutcome.GRANTED,
        valid_from=extra.pop("valid_from", decided_on),
        decided_by=decided_by,
        **extra,
    )


class TenancyFactory(factory.django.DjangoModelFactory):
    """A tenancy written directly, without the move-in service (for history
    and fixtures). Derived fields are computed as the service would."""

    class Meta:
        model = Tenancy

    apartment = factory.SubFactory(ApartmentFactory)
    client = factory.SubFactory(ClientFactory, unit=factory.SelfAttribute("..apartment.unit"))
    start_date = date(2021, 1, 1)
    rent = 600_000
    created_by = factory.SubFactory(
        UserFactory, unit=factory.SelfAttribute("..apartment.unit"), roles=[Role.CASE_OFFICER]
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        tenancy = model_class(*args, **kwargs)
        derive_programme_fields(tenancy)
        tenancy.save()
        return tenancy


# --- Apartments area: keys, complaints and tenancy histories ------------------
# (Imported here so that this section only appends to the shared module.)

from tenancies.models import Complaint, ComplaintKind, ComplaintSource, EndReason, KeySet  # noqa: E402


class KeySetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeySet

    apartment = factory.SubFactory(ApartmentFactory)
    count = 2
    tag = factory.Sequence(lambda n: f"Bricka {n + 1}")
    kept_at = "Nyckelskåpet"


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A complaint written directly (the service links the tenancy and
    notifies; this does not)."""

    class Meta:
        model = Complaint

    apartment = factory.SubFactory(ApartmentFactory)
    occurred_on = date(2024, 3, 1)
    kind = ComplaintKind.DISTURBANCE
    source = ComplaintSource.NEIGHBOUR
    description = "Hög musik sent på kvällen."
    registered_by = factory.SubFactory(
        UserFactory, unit=factory.SelfAttribute("..apartment.unit"), roles=[Role.HOUSING_ADMIN]
    )


def tenancy_history(apartment, periods, **kwargs):
    """Tenancies of `apartment` from (start, end) pairs (end None = still
    running), each a new client of the unit; ended ones get an end reason."""
    return [
        TenancyFactory(
            apartment=apartment, start_date=start, end_date=end,
            end_reason=EndReason.OWN_HOUSING if end else "", **kwargs,
        )
        for start, end in periods
    ]


# --- Tenancies area: move-ins through the service, income and insurance ---------

from tenancies.models import HomeInsurance, IncomeKind, IncomeSource  # noqa: E402


def moved_in(ctx, apartment, client, start, decision=None, **fields):
    """A tenancy started through the move-in service, with a granted decision
    of the apartment's kind made for it unless one is given."""
    from tenancies.services.moves import move_in

    if decision is None:
        decision = granted_decision(
            client, kind=apartment.decision_kind, decided_on=start, decided_by=ctx.user
        )
    return move_in(ctx, Tenancy(apartment=apartment, client=client, decision=decision, start_date=start, **fields))


def add_income(tenancy, kind=IncomeKind.SALARY, valid_from=date(2021, 1, 1), valid_to=None):
    return IncomeSource.objects.create(tenancy=tenancy, kind=kind, valid_from=valid_from, valid_to=valid_to)


def add_insurance(tenancy, valid_until, valid_from=None, company="Fiktiva Försäkringar AB"):
    return HomeInsurance.objects.create(
        tenancy=tenancy, company=company, policy_number="HF-1", valid_from=valid_from, valid_until=valid_until
    )


# --- Register import: test files ------------------------------------------------

from pathlib import Path  # noqa: E402

IMPORT_DATA = Path(__file__).resolve().parent / "data"


def import_rows(name):
    """The header and rows of a test register in tenancies/tests/data/."""
    import csv
    import io

    text = (IMPORT_DATA / name).read_text(encoding="utf-8-sig")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def register_csv(rows, delimiter=";", bom=True):
    """CSV bytes for `rows` (the header first), as Excel writes them."""
    import csv
    import io

    output = io.StringIO(newline="")
    csv.writer(output, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" if bom else "").encode() + output.getvalue().encode("utf-8")


def register_xlsx(rows):
    """XLSX bytes for `rows` (text cells, the header first), with dates,
    whole numbers and amounts stored as Excel stores them when typed in:
    date cells and numbers."""
    import io
    import re
    from datetime import datetime

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header, *body = rows
    sheet.append(header)
    for values in body:
        cells = []
        for title, value in zip(header, values, strict=False):
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                cells.append(datetime.strptime(value, "%Y-%m-%d"))
            elif title != "Personnummer" and re.fullmatch(r"\d{1,3}( \d{3})*", value):
                cells.append(int(value.replace(" ", "")))
            elif re.fullmatch(r"\d+,\d+", value):
                cells.append(float(value.replace(",", ".")))
            else:
                cells.append(value or None)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
