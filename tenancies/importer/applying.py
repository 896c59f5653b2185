"""Applying a plan: writing what planning decided, inside run_import's
transaction (so a concurrent change cannot slip in between). Only called
when no row has an error. New clients are registered through the client
service (referrals.services.clients.create_client), as on the client page;
apartments and tenancies are written here, with their field history,
through the shared tracked-save path (audit.tracked.save_tracked). The
import writes no access-log row per apartment or tenancy (the run is
logged as a whole), hence log=False."""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Unit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from audit.tracked import save_tracked
from core.formatting import kr
from referrals.models import Client
from referrals.services.clients import create_client

from ..models import Apartment, Tenancy
from ..services.apartments import TRACKED_FIELDS as APARTMENT_TRACKED_FIELDS
from ..services.apartments import display_snapshot
from ..services.tenancies import derive_programme_fields
from ..services.vacancies import rebuild_vacancies
from .plans import ApartmentPlan, ClientPlan, TenancyPlan


def _import_note(today: date) -> str:
    return _("Created by the import of the apartment register on %(date)s.") % {"date": today.isoformat()}


def apply_plan(ctx: AuditContext, unit: Unit, apartments: dict[str, ApartmentPlan], clients: dict[str, ClientPlan],
               tenancies: list[TenancyPlan], today: date) -> None:
    """Write the plan into `unit`; raises IntegrityError or
    ConcurrentEditError when the register changed since it was read."""
    if ctx.user.unit_id != unit.pk:
        # The callers import as a member of the unit (the page: the user's
        # own unit; the command checks it); new clients go to the user's
        # unit, so any other unit would split the register between two.
        raise PermissionDenied("The register is imported by a member of its unit.")
    for plan in apartments.values():
        if plan.action == "create":
            values = {k: v for k, v in plan.values.items() if k != "status"}
            apartment = Apartment(unit=unit, status=plan.status, **values)
            apartment.save()
            plan.instance = apartment
        else:
            plan.instance = plan.existing
            if plan.action == "update":
                _update_apartment(ctx, plan)

    for plan in clients.values():
        if plan.action == "create":
            # create_client files the client in the acting user's unit, which
            # is `unit` (checked above); the access-log note says it came
            # from the import, as the importer always logged it.
            plan.instance = create_client(
                ctx, Client(first_name=plan.first_name, last_name=plan.last_name, personal_number=plan.digits,
                            notes=_import_note(today)),
                note="import")
        else:
            plan.instance = plan.existing

    # Changes to registered tenancies first, ending ones before the others,
    # then the new ones by date: every state in between is one the
    # database's own rules accept (see the no-overlap constraint).
    updates = sorted((t for t in tenancies if t.action == "update"), key=lambda t: t.existing.end_date is not None)
    for plan in updates:
        _update_tenancy(ctx, plan)
    for plan in sorted((t for t in tenancies if t.action == "create"), key=lambda t: t.start):
        apartment = plan.apartment.instance
        Tenancy(
            apartment=apartment, client=plan.client.instance, start_date=plan.start, end_date=plan.end,
            end_reason=plan.end_reason, end_note=plan.end_note or "",
            rent=plan.rent if plan.rent is not None else apartment.rent,
            created_by=ctx.user, continuous_since=plan.start,
        ).save()

    changed_clients = [p.instance for p in clients.values() if p.action != "unchanged"]
    for client in changed_clients:
        _derive_in_order(client)
    # The vacancies follow the register's tenancies (services.vacancies).
    rebuild_vacancies(
        {p.instance.pk for p in apartments.values() if p.action != "unchanged"}
        | {t.apartment.instance.pk for t in tenancies if t.action != "unchanged"}
    )
    for plan in clients.values():
        if plan.action == "update":
            log_access(ctx, AccessAction.UPDATE, plan.instance, note="import")


def _update_apartment(ctx: AuditContext, plan: ApartmentPlan) -> None:
    apartment = plan.existing
    before = display_snapshot(apartment)
    for name, value in plan.values.items():
        if name not in ("object_number", "status"):
            setattr(apartment, name, value)
    apartment.status = plan.status
    # The version read with the register: a save since then is a conflict.
    save_tracked(ctx, apartment, APARTMENT_TRACKED_FIELDS, expected_version=apartment.version, before=before,
                 display=display_snapshot, log=False)


def _display_value(tenancy: Tenancy, name: str) -> str:
    """A tenancy field as the register file writes it (ISO dates, rent in
    kronor), so the history reads like the file that changed it."""
    value = getattr(tenancy, name)
    if name == "end_reason":
        return tenancy.get_end_reason_display() if value else ""
    if name == "rent":
        return "" if value is None else kr(value)
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def _display(tenancy: Tenancy, fields: Sequence[str], protected: Sequence[str] = ()) -> dict:
    """snapshot() (audit.services) with the register's display values."""
    return {name: (Tenancy._meta.get_field(name).verbose_name, _display_value(tenancy, name), name in protected)
            for name in fields}


def _update_tenancy(ctx: AuditContext, plan: TenancyPlan) -> None:
    tenancy = plan.existing
    fields = list(plan.changes)
    before = _display(tenancy, fields)
    for name, value in plan.changes.items():
        setattr(tenancy, name, value)
    save_tracked(ctx, tenancy, fields, expected_version=tenancy.version, before=before, update_fields=fields,
                 display=_display, log=False)


def _derive_in_order(client: Client) -> None:
    """is_internal_move and continuous_since of every tenancy of `client`,
    in move-in order, each from the one before it (as the services do)."""
    for tenancy in Tenancy.objects.filter(client=client).order_by("start_date", "pk"):
        before = (tenancy.is_internal_move, tenancy.continuous_since)
        derive_programme_fields(tenancy)
        if (tenancy.is_internal_move, tenancy.continuous_since) != before:
            Tenancy.objects.filter(pk=tenancy.pk).update(
                is_internal_move=tenancy.is_internal_move, continuous_since=tenancy.continuous_since)
