"""Annulment (makulering): a record entered by mistake (a decision saved
twice, a visit logged twice) is marked annulled with a reason instead of
deleted. The row stays, with who annulled it, when and why, and its field
history shows the annulment; it is left out of every figure and report.

Why an explicit `effective()` and not a default manager that hides annulled
rows: the annulled record must still open (its page says "Makulerad" and
why), its history and access log must still find it, foreign keys and the
admin read through the default manager, and a hidden row would make
"nothing is ever lost" untrue. So the rows stay visible to record pages and
every figure opts out of them in one place per model: the KPI engine's base
querysets (reports.kpis.visits.visits, reports.kpis.decisions.decisions),
the IVO report and the waiting list (through referrals'
DecisionQuerySet.granted / with_status), the visit-frequency facts
(bolots.services.worklist) and the two-person rule's "first visit".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.rules import RuleError

from .tracked import UNVERSIONED, save_tracked

if TYPE_CHECKING:
    from collections.abc import Callable

    from .context import AuditContext
    from .tracked import Saved

ANNUL_FIELDS = ("annulled_at", "annulled_by", "annul_reason")
REASON_MAX_LENGTH = 500


class AnnulmentError(RuleError):
    """The record may not be annulled (already annulled, no reason, a rule
    of its app). Nothing is kept."""


class AnnullableQuerySet(models.QuerySet):
    def effective(self):
        """The records in effect: every figure and report counts only these."""
        return self.filter(annulled_at__isnull=True)

    def annulled(self):
        return self.filter(annulled_at__isnull=False)


class AnnullableModel(models.Model):
    annulled_at = models.DateTimeField(_("annulled at"), null=True, blank=True, editable=False)
    annulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("annulled by"), on_delete=models.PROTECT,
        null=True, blank=True, editable=False, related_name="+",
    )
    # db_default: rows written without the ORM (the demo's bulk loader, COPY)
    # name only the columns they know and must still be "not annulled".
    annul_reason = models.TextField(_("reason for the annulment"), blank=True, default="", db_default="",
                                    editable=False)

    class Meta:
        abstract = True

    @property
    def is_annulled(self) -> bool:
        return self.annulled_at is not None


def annulment_constraint(name: str) -> models.CheckConstraint:
    """Annulled means who, when and a non-empty reason; not annulled means
    none of them. annul() below fills all three at once; the "Makulerad"
    banners (who and why) and `effective()` rely on it."""
    return models.CheckConstraint(
        condition=Q(annulled_at__isnull=True, annulled_by__isnull=True, annul_reason="")
        | (Q(annulled_at__isnull=False, annulled_by__isnull=False) & ~Q(annul_reason="")),
        name=name,
    )


def annul(
    ctx: AuditContext,
    record: AnnullableModel,
    reason: str,
    *,
    expected_version: int | None = UNVERSIONED,
    check: Callable[[models.Model], None] | None = None,
) -> Saved:
    """Mark `record` annulled by `ctx.user` now, with `reason`, through the
    one tracked-save path (field history of the three fields, access-log
    row). The caller runs it in its transaction, on a row it has locked
    (or with `expected_version` from the form); `check(stored)` is the
    caller app's own rules. Raises AnnulmentError, nothing kept."""
    reason = (reason or "").strip()
    if not reason:
        raise AnnulmentError(_("Write why the record is annulled."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise AnnulmentError(_("Write the reason in at most %(count)s characters.") % {"count": REASON_MAX_LENGTH},
                             field="reason")

    def rules(stored: models.Model) -> None:
        if stored.annulled_at is not None:
            raise AnnulmentError(_("It is already annulled."))
        if check is not None:
            check(stored)

    record.annulled_at = timezone.now()
    record.annulled_by = ctx.user
    record.annul_reason = reason
    return save_tracked(
        ctx, record, ANNUL_FIELDS, expected_version=expected_version, check=rules,
        update_fields=ANNUL_FIELDS, note="annulled",
    )
