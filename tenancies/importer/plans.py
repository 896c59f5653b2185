"""The plan an import makes before it writes anything: per row what the file
says, per apartment, client and tenancy what will be done ("create",
"update" or "unchanged") to which record, and the tenancies' periods as the
register will hold them. Planning fills these in; applying writes them."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from referrals.models import Client

from ..models import Apartment, Tenancy


@dataclass
class Row:
    """One row of the file with a value, its cells parsed."""

    number: int
    apartment: dict  # field -> parsed value, for the apartment columns given a value
    tenant: dict | None  # None on an apartment-only row
    ok: bool = True


@dataclass
class ApartmentPlan:
    """An apartment the file names, matched on its folded object number (`key`)."""

    key: str
    row: int  # the first row naming it
    values: dict
    existing: Apartment | None
    status: str = ""  # the status it will have
    action: str = "unchanged"
    instance: Apartment | None = None


@dataclass
class ClientPlan:
    """A tenant the file names, matched on the personal identity number (`digits`)."""

    digits: str
    row: int
    first_name: str
    last_name: str
    existing: Client | None
    action: str = "unchanged"
    instance: Client | None = None


@dataclass
class TenancyPlan:
    """A tenancy row of the file, matched on (apartment, client, move-in date)."""

    row: int
    apartment: ApartmentPlan
    client: ClientPlan
    start: date
    end: date | None
    end_reason: str
    end_note: str | None  # None: keep
    rent: int | None  # None: keep (or the apartment's rent for a new one)
    existing: Tenancy | None
    action: str = "unchanged"
    changes: dict = field  # field -> new value, for an update(default_factory=dict)


@dataclass
class Period:
    """A tenancy as it will be after the import, for the overlap checks."""

    start: date
    end: date | None
    end_reason: str
    plan: TenancyPlan | None = None  # None: already in the register, not in the file
    # A registered tenancy of a tenant with protected personal data: its
    # dates beside the file's apartment would say when they moved in there
    # (referrals.protection), so the message does not give them.
    protected: bool = False

    def where(self) -> str:
        """The other period, as an error message names it."""
        if self.plan is not None:
            return _("row %(row)s") % {"row": self.plan.row}
        if self.protected:
            return _("a tenancy already registered for a tenant with protected personal data")
        return _("the tenancy already registered %(start)s – %(end)s") % {
            "start": self.start.isoformat(), "end": self.end.isoformat() if self.end else _("until further notice")}
