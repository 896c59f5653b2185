"""The training-apartment package: a training apartment is granted together
with bolots support (DOMAIN.md), so the case officer grants both decisions,
and optionally sends the bolots-support order, in one step.

One transaction: the bolots-support decision first (the training apartment's
rule asks for a covering one), then the training-apartment decision for the
same client and period, then the order. Any refusal rolls all of it back:
nothing is half-saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Decision, DecisionKind, DecisionOutcome, LegalReference, OrderKind
from . import decisions as decision_services
from . import orders as order_services

if TYPE_CHECKING:
    from datetime import date

    from accounts.models import User
    from audit.context import AuditContext

    from ..models import Client, Order


@dataclass
class Package:
    training: Decision
    support: Decision
    order: Order | None


@dataclass(frozen=True)
class PackageTerms:
    """What the two decisions share."""

    legal_basis: LegalReference
    applied_on: date
    decided_on: date
    valid_from: date
    valid_to: date | None
    decided_by: User
    reasoning: str = ""


def usual_legal_basis(unit_id: int, today: date) -> LegalReference | None:
    """The legal basis of the unit's latest training-apartment or bolots-support
    decision, if it is still selectable and in force today: the package form
    starts from it. One query."""
    latest = (
        Decision.objects.filter(
            client__unit_id=unit_id, kind__in=[DecisionKind.TRAINING_APARTMENT, DecisionKind.BOLOTS_SUPPORT]
        )
        .order_by("-decided_on", "-id")
        .values("legal_basis")[:1]
    )
    return (
        LegalReference.objects.filter(pk__in=latest, is_active=True)
        .exclude(valid_from__gt=today)
        .exclude(valid_to__lt=today)
        .first()
    )


def _decision(client: Client, kind: str, terms: PackageTerms, reasoning: str) -> Decision:
    return Decision(
        client=client, kind=kind, legal_basis=terms.legal_basis, applied_on=terms.applied_on,
        decided_on=terms.decided_on, outcome=DecisionOutcome.GRANTED, valid_from=terms.valid_from,
        valid_to=terms.valid_to, decided_by=terms.decided_by, reasoning=reasoning,
    )


@transaction.atomic
def grant_package(ctx: AuditContext, client: Client, terms: PackageTerms, order: Order | None = None) -> Package:
    """Grant a training apartment with bolots support for `client` (both
    decisions for the same period) and, when `order` (unsaved, with its
    assignment and risk information) is given, send it as the bolots-support
    order following the new decision. Raises DecisionError (or the order
    services' refusals) with nothing stored."""
    support = decision_services.record_decision(
        ctx, _decision(client, DecisionKind.BOLOTS_SUPPORT, terms,
                       terms.reasoning or _("Granted together with the training apartment, for the same period.")),
    )
    training = decision_services.record_decision(
        ctx, _decision(client, DecisionKind.TRAINING_APARTMENT, terms, terms.reasoning),
    )
    if order is not None:
        order.kind = OrderKind.BOLOTS_SUPPORT
        order.client = client
        order.decision = support
        order.unit_id = client.unit_id
        order_services.send_order(ctx, order)
    return Package(training, support, order)
