"""The register file's columns: COLUMNS is the one source for the page's
column help, the template and the parser (docs/import.md lists them)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Choices, Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from referrals.models import Client

from ..models import Apartment, ApartmentKind, ApartmentStatus, Area, EndReason, Landlord, Tenancy, Tenure
from .cells import (
    Parser,
    label_list,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_money,
    parse_personal_number,
    parse_text,
    parse_yes_no,
)

# Who must fill a column in.
ALWAYS = "always"  # header and a value on every row
TENANT = "tenant"  # header always; a value on every row with a tenant
HEADER = "header"  # header always; the value may be empty
OPTIONAL = "optional"  # may be left out of the file altogether


@dataclass(frozen=True)
class Column:
    key: str  # the model field it fills
    header: str  # Swedish, as in the file (not translated: the file format must not change with the UI language)
    level: str  # "apartment" or "tenancy"
    required: str
    parse: Parser
    meaning: Promise  # lazy translation
    format: Promise  # lazy translation
    choices: type[Choices] | None = None  # TextChoices whose Swedish labels are the allowed values

    @property
    def allowed(self) -> list[str]:
        return label_list(self.choices) if self.choices else []


def _max(model: type[Model], name: str) -> int:
    return model._meta.get_field(name).max_length


A, T = "apartment", "tenancy"
TEXT = gettext_lazy("Text")
DATE = gettext_lazy("Date, e.g. 2026-11-22")
MONEY = gettext_lazy("Kronor per month, e.g. 6 500 or 6500,50")
CHOICE = gettext_lazy("One of the values listed")

COLUMNS = [
    Column("object_number", "Objektsnummer", A, ALWAYS, parse_text(_max(Apartment, "object_number")),
           gettext_lazy("The apartment's object number, unique within the unit. Apartments are matched on it."), TEXT),
    Column("street_address", "Adress", A, ALWAYS, parse_text(_max(Apartment, "street_address")),
           gettext_lazy("Street address with number (and flat number)."), TEXT),
    Column("postal_code", "Postnummer", A, OPTIONAL, parse_text(_max(Apartment, "postal_code")),
           gettext_lazy("Postal code."), gettext_lazy("Text, e.g. 186 30")),
    Column("area", "Område", A, OPTIONAL, parse_text(_max(Area, "name")),
           gettext_lazy("District or part of the municipality: a name in the unit's list of areas "
                        "(case and spaces do not matter)."), gettext_lazy("A name from the list")),
    Column("rooms", "Antal rum", A, ALWAYS, parse_decimal(1, Decimal("99.9")),
           gettext_lazy("Number of rooms (kitchen not counted)."), gettext_lazy("Number, e.g. 2 or 1,5")),
    Column("size_m2", "Yta (m²)", A, ALWAYS, parse_decimal(1, Decimal("99999.9")),
           gettext_lazy("Living area in square metres."), gettext_lazy("Number, e.g. 48 or 48,5")),
    Column("floor", "Våning", A, OPTIONAL, parse_integer,
           gettext_lazy("Floor; 0 is the ground floor."), gettext_lazy("Whole number")),
    Column("has_lift", "Hiss", A, OPTIONAL, parse_yes_no,
           gettext_lazy("Whether the building has a lift."), gettext_lazy("Ja or Nej")),
    Column("accessibility_notes", "Tillgänglighet", A, OPTIONAL, parse_text(2000, multiline=True),
           gettext_lazy("Accessibility: steps, door widths, adaptations."), TEXT),
    Column("kind", "Lägenhetstyp", A, ALWAYS, parse_choice(ApartmentKind),
           gettext_lazy("Kind of apartment."), CHOICE, ApartmentKind),
    Column("tenure", "Upplåtelseform", A, ALWAYS, parse_choice(Tenure),
           gettext_lazy("Tenure."), CHOICE, Tenure),
    Column("landlord", "Hyresvärd", A, ALWAYS, parse_text(_max(Landlord, "name")),
           gettext_lazy("The first-hand landlord (or the housing association): a name in the unit's list of "
                        "landlords (case and spaces do not matter)."), gettext_lazy("A name from the list")),
    Column("lease_start", "Förstahandskontrakt från", A, OPTIONAL, parse_date,
           gettext_lazy("Start of the first-hand lease."), DATE),
    Column("lease_end", "Förstahandskontrakt till", A, OPTIONAL, parse_date,
           gettext_lazy("End of the first-hand lease, when it has one."), DATE),
    Column("monthly_cost", "Kostnad per månad (kr)", A, OPTIONAL, parse_money,
           gettext_lazy("What the apartment costs the social services a month."), MONEY),
    Column("rent", "Hyra per månad (kr)", A, OPTIONAL, parse_money,
           gettext_lazy("The rent charged to the tenant a month."), MONEY),
    Column("status", "Lägenhetsstatus", A, OPTIONAL, parse_choice(ApartmentStatus),
           gettext_lazy("Only needed for an apartment under repair, being returned or that has left the programme: "
                        "vacant and occupied follow from the tenancies."), CHOICE, ApartmentStatus),
    Column("notes", "Anteckningar", A, OPTIONAL, parse_text(2000, multiline=True),
           gettext_lazy("Notes on the apartment."), TEXT),
    Column("personal_number", "Personnummer", T, HEADER, parse_personal_number,
           gettext_lazy("The tenant's personal identity or coordination number. Empty on a row for an apartment "
                        "that has never been let."),
           gettext_lazy("YYYYMMDD-NNNN, YYMMDD-NNNN or without hyphen")),
    Column("first_name", "Förnamn", T, TENANT, parse_text(_max(Client, "first_name")),
           gettext_lazy("The tenant's first name; used when the client is created."), TEXT),
    Column("last_name", "Efternamn", T, TENANT, parse_text(_max(Client, "last_name")),
           gettext_lazy("The tenant's last name; used when the client is created."), TEXT),
    Column("start_date", "Inflyttningsdatum", T, TENANT, parse_date,
           gettext_lazy("Move-in date. Tenancies are matched on apartment, tenant and move-in date."), DATE),
    Column("end_date", "Utflyttningsdatum", T, HEADER, parse_date,
           gettext_lazy("Move-out date (the last day); empty while the tenancy runs."), DATE),
    Column("end_reason", "Avslutsorsak", T, HEADER, parse_choice(EndReason),
           gettext_lazy("Why the tenancy ended; required when there is a move-out date."), CHOICE, EndReason),
    Column("end_note", "Anteckning om avslutet", T, OPTIONAL, parse_text(_max(Tenancy, "end_note")),
           gettext_lazy("Note on the ending."), TEXT),
    Column("tenancy_rent", "Hyresgästens hyra (kr)", T, OPTIONAL, parse_money,
           gettext_lazy("The rent in this tenant's contract; empty: the apartment's rent."), MONEY),
]
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
APARTMENT_KEYS = [column.key for column in COLUMNS if column.level == A]
TENANCY_KEYS = [column.key for column in COLUMNS if column.level == T and column.key != "personal_number"]


def header(key: str) -> str:
    """The header of the column that fills `key`."""
    return COLUMN_BY_KEY[key].header


# Errors are listed by row, then in the columns' order.
COLUMN_ORDER = {column.header: index for index, column in enumerate(COLUMNS)}


def position(key: str) -> int:
    """The column's place in the template, counted from 1 as spreadsheets do."""
    return [column.key for column in COLUMNS].index(key) + 1


def required_text(column: Column) -> Promise:
    """Who must fill `column` in, as the page and the template say it."""
    return {
        ALWAYS: gettext_lazy("Yes, on every row"),
        TENANT: gettext_lazy("On rows with a tenant"),
        HEADER: gettext_lazy("The column is required; the value may be empty"),
        OPTIONAL: gettext_lazy("No"),
    }[column.required]
