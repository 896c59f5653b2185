"""The append-only access log and the field-level change history.

Both tables are evidence (log review is a legal duty), so rows are never
changed or deleted by the application: the model and queryset refuse it, and
on PostgreSQL a trigger refuses it too (migration 0002), so that neither the
admin, a shell session nor a stray bulk update can rewrite history.

Neither table has a foreign key to the client: the log must outlive a culled
client record, and a cascade or SET NULL would itself be an UPDATE/DELETE. A
snapshot of who the client was (`client_label`, `client_number`) is kept
instead, which is also what a reviewer searches on.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AppendOnlyQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # Every row joins its table's hash chain before it is written (see
        # audit.chain); one lock and one head update for the whole batch.
        from .chain import sealing

        objs = list(objs)
        with sealing(self.model, objs):
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        raise AppendOnlyError("Audit rows cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit rows cannot be deleted.")

    def matching_client(self, term):
        """Rows about a client found by name or by (part of) identity number."""
        term = term.strip()
        compact = term.replace("-", "").replace("+", "")
        if compact.isdigit():
            return self.filter(client_number__contains=compact)
        return self.filter(client_label__icontains=term)


class AppendOnlyModel(models.Model):
    """Base of every evidence table: rows are only ever added.

    Each row is also a link of its table's tamper-evident hash chain
    (audit.chain): `chain_seq` numbers the rows 1, 2, 3 … in the order they
    were appended and `chain_hash` is an HMAC of the row's content and the
    previous row's hash, so `manage.py verify_log` can tell a deleted,
    altered or reordered row. On PostgreSQL the runtime database role may
    only INSERT and SELECT these tables (audit/management/commands/db_roles.py).
    """

    chain_seq = models.PositiveBigIntegerField(_("chain position"), editable=False)
    chain_hash = models.CharField(_("chain hash"), max_length=64, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            # One row per chain position: verify_log and audit.chain walk
            # and look up rows by it, and a duplicate would be a fork.
            models.UniqueConstraint(fields=["chain_seq"], name="%(app_label)s_%(class)s_chain_seq_uniq"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("Audit rows cannot be updated.")
        from .chain import sealing

        with sealing(type(self), [self]):
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit rows cannot be deleted.")


class AccessAction(models.TextChoices):
    VIEW = "view", _("View")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")


class AccessLogEntry(AppendOnlyModel):
    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        # Users are deactivated, never deleted, while their log rows exist.
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    client_id = models.PositiveBigIntegerField(_("client id"), null=True, blank=True)
    client_label = models.CharField(_("client"), max_length=200, blank=True)
    client_number = models.CharField(_("personal identity number"), max_length=12, blank=True)
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            # The log review (audit.views._entries_for, behind log_search
            # and log_export) filters by client or by user, newest first;
            # unfiltered it pages the whole log by time.
            models.Index(fields=["client_id", "-at"], name="audit_log_client_at_idx"),
            models.Index(fields=["user", "-at"], name="audit_log_user_at_idx"),
            models.Index(fields=["-at"], name="audit_log_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}:{self.object_id}"


class FieldChange(AppendOnlyModel):
    """One field of one record changed by one save: who, when, from, to."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    object_type = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    client_id = models.PositiveBigIntegerField(_("client id"), null=True, blank=True)
    field = models.CharField(_("field"), max_length=100)
    field_label = models.CharField(_("field name"), max_length=200)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    # Values of protected fields (a protected client's address and phone) are
    # shown only to users allowed to see them; see referrals.views.
    is_protected = models.BooleanField(_("protected"), default=False)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("field change")
        verbose_name_plural = _("change history")
        ordering = ["-at", "-id"]
        indexes = [
            # A record's change history (audit.services.history_of, on every
            # detail page that shows "Ändringshistorik").
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_change_object_idx"),
            # A client's history across records (bolots.views.search, the
            # housing search page's history of the client's search records).
            models.Index(fields=["client_id", "-at"], name="audit_change_client_idx"),
        ]

    def __str__(self):
        return f"{self.object_type}:{self.object_id}.{self.field}"


class AccountEventKind(models.TextChoices):
    """What happened to a user account. Every change of who may see what is
    one of these, so that nobody can give themselves access unseen."""

    CREATED = "created", _("Account created")
    ACTIVATED = "activated", _("Account activated")
    DEACTIVATED = "deactivated", _("Account deactivated")
    UNIT_CHANGED = "unit_changed", _("Unit changed")
    ROLES_CHANGED = "roles_changed", _("Roles changed")
    PERMISSIONS_CHANGED = "permissions_changed", _("Permissions changed")
    GRANT_REQUESTED = "grant_requested", _("Access requested")
    GRANT_APPROVED = "grant_approved", _("Access approved")
    GRANT_REJECTED = "grant_rejected", _("Access rejected")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_RESET = "password_reset", _("Password reset")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor enrolled")
    SECOND_FACTOR_REMOVED = "second_factor_removed", _("Second factor removed")
    SECOND_FACTOR_RESET_REQUESTED = "second_factor_reset_requested", _("Second factor reset requested")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
    BACKUP_CODES_CREATED = "backup_codes_created", _("Backup codes created")
    LOCKED_OUT = "locked_out", _("Locked out")
    UNLOCKED = "unlocked", _("Unlocked")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")


class AccountEvent(AppendOnlyModel):
    """One change to a user account: who did it, to whom, what, before, after.

    Append-only like the access log. `actor` is empty for events without a
    logged-in user (a password reset requested from the login page). The
    values are plain text written for a reader ("Handläggare, Chef"), never
    secrets: no passwords, tokens or device keys.
    """

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The subject's unit when the event happened, so that a manager's review
    # finds the events of their unit's accounts even after a move.
    unit_id_snapshot = models.PositiveBigIntegerField(_("unit id"), null=True, blank=True)
    kind = models.CharField(_("event"), max_length=40, choices=AccountEventKind.choices)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-id"]
        indexes = [
            # The log review lists a unit's account events newest first
            # (audit.views.account_events); the account page lists one
            # account's (accounts.users.views.user_edit).
            models.Index(fields=["unit_id_snapshot", "-at"], name="audit_account_unit_at_idx"),
            models.Index(fields=["subject", "-at"], name="audit_account_subject_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.subject_id}"


class LogChainHead(models.Model):
    """Where each evidence table's hash chain ends: the last position and
    hash. Appending locks these rows (audit.chain.sealing), which serialises
    writers so that two transactions can never both link to the same row;
    verify_log compares the chain's end with it, so rows removed from the
    end are found too. The runtime role may SELECT and UPDATE it, and a
    trigger refuses moving it backwards (migration 0004)."""

    table = models.CharField(_("table"), max_length=100, primary_key=True)
    seq = models.PositiveBigIntegerField(_("last position"), default=0)
    hash = models.CharField(_("last hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("log chain head")
        verbose_name_plural = _("log chain heads")

    def __str__(self):
        return f"{self.table}:{self.seq}"


class LogVerification(AppendOnlyModel):
    """One run of verify_log (by hand or the nightly task): whether every
    chain was intact, and where each ended. The recorded ends are anchors:
    the next run checks that those rows still carry the same hashes, so even
    someone holding the database owner's rights cannot shorten a chain that
    was verified before without it being noticed."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    trigger = models.CharField(_("started by"), max_length=20)
    ok = models.BooleanField(_("intact"))
    rows_checked = models.PositiveBigIntegerField(_("rows checked"), default=0)
    problems = models.TextField(_("problems"), blank=True)
    heads = models.JSONField(_("chain ends"), default=dict, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("log verification")
        verbose_name_plural = _("log verifications")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FAILED'}"


class RedactedRow(AppendOnlyModel):
    """One evidence row whose personal columns were overwritten when its
    person was culled (audit.redaction): which row, for which client id, by
    which culling reference, and the keyed digest of the columns as they
    were, which the hash chain needs to go on verifying that row
    (audit.chain, "Redaction"). Append-only and chained itself, so a
    redaction cannot be undone, forged or hidden; no personal data."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    table = models.CharField(_("table"), max_length=100)
    row_seq = models.PositiveBigIntegerField(_("row's chain position"))
    client_id = models.PositiveBigIntegerField(_("client id"))
    reference = models.CharField(_("culling reference"), max_length=40)
    personal_digest = models.CharField(_("digest of the removed values"), max_length=64)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("redacted log row")
        verbose_name_plural = _("redacted log rows")
        ordering = ["table", "row_seq"]
        constraints = [
            *AppendOnlyModel.Meta.constraints,
            # A row is redacted once. audit.chain.verify_chain merges these
            # with the rows by (table, row_seq), and the UPDATE guards
            # (audit.db_guards, migration 0006) look one up per row.
            models.UniqueConstraint(fields=["table", "row_seq"], name="audit_redactedrow_row_uniq"),
        ]

    def __str__(self):
        return f"{self.table}:{self.row_seq} {self.reference}"
