"""Planning an import: the file's rows parsed, checked and matched against
the database into a plan, without writing. Every problem becomes a RowError
naming the row as the spreadsheet shows it (header = row 1) and the column;
a plan is only returned when there is none, so nothing is half-imported.

Matching: apartments on (unit, object number, ignoring case, as the
apartment register does), clients on the personal identity number among the
unit's clients, tenancies on (apartment, client, move-in date). What an
empty optional cell means: "keep what the register holds"."""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Unit
from referrals.models import Client

from ..models import Apartment, Area, Landlord, Tenancy, name_key
from ..services.lists import entries_by_key
from .cells import InvalidCell, cell_text, fold
from .columns import ALWAYS, APARTMENT_KEYS, COLUMN_BY_KEY, COLUMNS, OPTIONAL, TENANCY_KEYS, header
from .plans import ApartmentPlan, ClientPlan, Row, TenancyPlan
from .reading import Table
from .register_rules import RegisterRules
from .results import ImportFileError, RowError

# The plan run_import applies: apartments and clients by their matching key, the tenancies in file order.
Plan = tuple[dict[str, ApartmentPlan], dict[str, ClientPlan], list[TenancyPlan]]


class Planner(RegisterRules):
    """Plans the import of `table` into `unit`; collects the errors in `errors`."""

    def __init__(self, table: Table, unit: Unit, today: date) -> None:
        self.table = table
        self.unit = unit
        self.today = today
        self.errors: list[RowError] = []
        self.positions: dict[str, int] = {}  # column key -> index in a row
        # The unit's lists the area and landlord columns name (models.lists).
        self.lists = {"area": entries_by_key(Area, unit.pk), "landlord": entries_by_key(Landlord, unit.pk)}

    def error(self, row: int | None, key_or_header: str, message: str) -> None:
        column = COLUMN_BY_KEY[key_or_header].header if key_or_header in COLUMN_BY_KEY else key_or_header
        self.errors.append(RowError(row, column, message))

    # --- header and cells ---

    def read_header(self) -> bool:
        if not self.table:
            raise ImportFileError(_("The file is empty."))
        _number, values = self.table[0]
        if not any(cell_text(value) for value in values):
            raise ImportFileError(_("The first row must hold the column headers (see the template)."))
        by_folded = {fold(column.header): column for column in COLUMNS}
        for index, value in enumerate(values):
            text = cell_text(value)
            if not text:
                continue
            column = by_folded.get(fold(text))
            if column is None:
                self.error(1, text, _("Unknown column. Use the headers of the template (see the column list); "
                                      "remove columns the import does not know."))
            elif column.key in self.positions:
                self.error(1, text, _("The column appears twice."))
            else:
                self.positions[column.key] = index
        for column in COLUMNS:
            if column.required != OPTIONAL and column.key not in self.positions:
                self.error(1, column.header, _("The column is missing; it is required."))
        return not self.errors

    def parse_rows(self) -> list[Row]:
        rows = []
        for number, values in self.table[1:]:
            cells = {key: values[index] if index < len(values) else None for key, index in self.positions.items()}
            if all(cell_text(value) == "" for value in cells.values()):
                continue  # blank rows, common at the end of a sheet
            rows.append(self.parse_row(number, cells))
        if not rows:
            raise ImportFileError(_("The file has no rows under the header row."))
        return rows

    def parse_row(self, number: int, cells: dict[str, object]) -> Row:
        row = Row(number, {}, None)
        parsed = {}
        for key, value in cells.items():
            if cell_text(value) == "":
                continue
            try:
                parsed[key] = COLUMN_BY_KEY[key].parse(value)
            except InvalidCell as invalid:
                self.error(number, key, str(invalid))
                row.ok = False
        failed = {error.column for error in self.errors if error.row == number}
        for column in COLUMNS:
            if column.required == ALWAYS and column.key not in parsed and column.header not in failed:
                self.error(number, column.key, _("A value is required."))
                row.ok = False
        for key in ("area", "landlord"):
            if key in parsed and not self.map_to_list(number, key, parsed):
                row.ok = False
        row.apartment = {key: value for key, value in parsed.items() if key in APARTMENT_KEYS}
        if "lease_start" in parsed and "lease_end" in parsed and parsed["lease_end"] < parsed["lease_start"]:
            self.error(number, "lease_end", _("The lease cannot end before it starts."))
            row.ok = False

        tenant_values = {key: value for key, value in parsed.items() if key in TENANCY_KEYS}
        tenant_given = any(cell_text(cells.get(key)) for key in TENANCY_KEYS)
        if "personal_number" not in parsed:
            if header("personal_number") in failed:
                return row
            if tenant_given:
                self.error(number, "personal_number", _("The tenant's personal identity number is missing. "
                                                        "Leave every tenant column empty on a row for an "
                                                        "apartment without tenant."))
                row.ok = False
            return row
        row.tenant = {"personal_number": parsed["personal_number"], **tenant_values}
        for key in ("first_name", "last_name", "start_date"):
            if key not in parsed and header(key) not in failed:
                self.error(number, key, _("A value is required on a row with a tenant."))
                row.ok = False
        start, end = parsed.get("start_date"), parsed.get("end_date")
        if start and start > self.today:
            self.error(number, "start_date", _("The move-in date is in the future. Register coming move-ins in "
                                               "the application, with the decision they execute."))
            row.ok = False
        if start and end and end < start:
            self.error(number, "end_date", _("The move-out date is before the move-in date."))
            row.ok = False
        if end and "end_reason" not in parsed and header("end_reason") not in failed:
            self.error(number, "end_reason", _("An ended tenancy must have an end reason."))
            row.ok = False
        if "end_reason" in parsed and "end_date" not in parsed and header("end_date") not in failed:
            self.error(number, "end_reason", _("An end reason needs a move-out date."))
            row.ok = False
        return row

    def map_to_list(self, number: int, key: str, parsed: dict) -> bool:
        """Replace the typed name in `parsed[key]` by the unit's list entry
        of that name (case and spaces ignored); an unknown or deactivated
        name is the row's error: the import adds nothing to the lists, so a
        misspelling cannot create a second "Centrum"."""
        text = parsed[key]
        entry = self.lists[key].get(name_key(text))
        if entry is None:
            message = (_("The area %(name)s is not in the unit's list of areas. Add it under Areas and landlords, "
                         "or correct the spelling.") if key == "area" else
                       _("The landlord %(name)s is not in the unit's list of landlords. Add it under Areas and "
                         "landlords, or correct the spelling."))
            self.error(number, key, message % {"name": f"”{text}”"})
            del parsed[key]
            return False
        if not entry.is_active:
            self.error(number, key, _("%(name)s is deactivated in the unit's list. Activate it under Areas and "
                                      "landlords first.") % {"name": f"”{entry.name}”"})
            del parsed[key]
            return False
        parsed[key] = entry
        return True

    # --- matching ---

    def plan(self) -> Plan | None:
        rows = self.parse_rows()
        apartments = self.plan_apartments(rows)
        clients = self.plan_clients(rows)
        tenancies = self.plan_tenancies(rows, apartments, clients)
        self.check_periods(apartments, clients, tenancies)
        # An apartment with a bad row may miss tenancies: its status would
        # be judged on half the facts.
        bad = {fold(row.apartment.get("object_number", "")) for row in rows if not row.ok}
        good = {key: plan for key, plan in apartments.items() if key not in bad}
        self.plan_statuses(good)
        self.check_leases(good)
        if self.errors:
            return None
        self.decide_actions(apartments, clients, tenancies)
        return apartments, clients, tenancies

    def plan_apartments(self, rows: list[Row]) -> dict[str, ApartmentPlan]:
        existing = {fold(a.object_number): a for a in Apartment.objects.filter(unit=self.unit)}
        plans = {}
        for row in rows:
            number = row.apartment.get("object_number")
            if number is None:
                continue
            key = fold(number)
            plan = plans.get(key)
            if plan is None:
                plans[key] = ApartmentPlan(key, row.number, dict(row.apartment), existing.get(key))
                continue
            for name, value in row.apartment.items():
                if name == "object_number":
                    continue
                if name in plan.values and plan.values[name] != value:
                    self.error(row.number, name, _("Differs from row %(row)s for the same object number; "
                                                   "an apartment's columns must agree on all its rows.")
                               % {"row": plan.row})
                    row.ok = False
                elif name not in plan.values:
                    plan.values[name] = value
        return plans

    def plan_clients(self, rows: list[Row]) -> dict[str, ClientPlan]:
        numbers = {row.tenant["personal_number"] for row in rows if row.tenant}
        found = {c.personal_number: c for c in Client.objects.filter(personal_number__in=numbers)}
        plans = {}
        for row in rows:
            if not row.tenant:
                continue
            digits = row.tenant["personal_number"]
            client = found.get(digits)
            if client is not None and client.unit_id != self.unit.pk:
                # Matching only within the unit: another unit's client is not
                # the importer's to see, nor to file tenancies on.
                self.error(row.number, "personal_number", _(
                    "The number belongs to a client your unit does not have access to. Nothing can be imported "
                    "for this person; contact the system administrator."))
                row.ok = False
                continue
            first, last = row.tenant.get("first_name", ""), row.tenant.get("last_name", "")
            plan = plans.get(digits)
            if plan is None:
                plans[digits] = ClientPlan(digits, row.number, first, last, client)
            elif client is None and (first, last) != (plan.first_name, plan.last_name):
                self.error(row.number, "first_name", _(
                    "The name differs from row %(row)s for the same personal identity number.") % {"row": plan.row})
                row.ok = False
        return plans

    def plan_tenancies(self, rows: list[Row], apartments: dict[str, ApartmentPlan],
                       clients: dict[str, ClientPlan]) -> list[TenancyPlan]:
        matched_apartments = [p.existing for p in apartments.values() if p.existing is not None]
        matched_clients = [p.existing for p in clients.values() if p.existing is not None]
        existing = Tenancy.objects.filter(
            Q(apartment__in=matched_apartments) | Q(client__in=matched_clients)
        ).select_related("apartment", "client")
        self.registered = list(existing)
        by_key = {(t.apartment_id, t.client_id, t.start_date): t for t in self.registered}
        plans = []
        seen = {}
        for row in rows:
            if not row.tenant or not row.ok:
                continue
            apartment = apartments.get(fold(row.apartment.get("object_number", "")))
            client = clients.get(row.tenant["personal_number"])
            if apartment is None or client is None:
                continue
            start = row.tenant["start_date"]
            key = (apartment.key, client.digits, start)
            if key in seen:
                self.error(row.number, "start_date", _("The same tenancy (apartment, tenant and move-in date) is "
                                                       "already on row %(row)s.") % {"row": seen[key]})
                continue
            seen[key] = row.number
            current = None
            if apartment.existing is not None and client.existing is not None:
                current = by_key.get((apartment.existing.pk, client.existing.pk, start))
            end = row.tenant.get("end_date")
            reason = row.tenant.get("end_reason", "")
            if current is not None and end is None:
                # An empty move-out date keeps a move-out registered since the
                # file was made.
                end, reason = current.end_date, current.end_reason
            plans.append(TenancyPlan(
                row.number, apartment, client, start, end, reason,
                row.tenant.get("end_note") if "end_note" in row.tenant else None,
                row.tenant.get("tenancy_rent"), current,
            ))
        return plans

    def decide_actions(self, apartments: dict[str, ApartmentPlan], clients: dict[str, ClientPlan],
                       tenancies: list[TenancyPlan]) -> None:
        for plan in apartments.values():
            if plan.existing is None:
                plan.action = "create"
            else:
                plan.action = "update" if _apartment_changes(plan) else "unchanged"
        for plan in tenancies:
            if plan.existing is None:
                plan.action = "create"
                continue
            current = plan.existing
            wanted = {"end_date": plan.end, "end_reason": plan.end_reason}
            if plan.end_note is not None:
                wanted["end_note"] = plan.end_note
            if plan.rent is not None:
                wanted["rent"] = plan.rent
            plan.changes = {name: value for name, value in wanted.items() if getattr(current, name) != value}
            plan.action = "update" if plan.changes else "unchanged"
        touched = {t.client.digits for t in tenancies if t.action != "unchanged"}
        for plan in clients.values():
            if plan.existing is None:
                plan.action = "create"
            else:
                plan.action = "update" if plan.digits in touched else "unchanged"


def _apartment_changes(plan: ApartmentPlan) -> list[str]:
    current = plan.existing
    changed = [name for name, value in plan.values.items()
               if name not in ("object_number", "status") and _stored(current, name) != value]
    if current.status != plan.status:
        changed.append("status")
    return changed


def _stored(apartment: Apartment, name: str) -> object:
    """A field's stored value to compare with the file's; a list entry by its
    id (the file's value is the entry), without loading the related row."""
    if name in ("area", "landlord"):
        entry_id = getattr(apartment, f"{name}_id")
        return None if entry_id is None else _EntryId(entry_id)
    return getattr(apartment, name)


class _EntryId:
    """Compares equal to the list entry with this id."""

    def __init__(self, pk: int) -> None:
        self.pk = pk

    def __eq__(self, other: object) -> bool:
        return getattr(other, "pk", other) == self.pk

    __hash__ = None
