"""An apartment's keys: the key sets handed out and kept, and reading them
within the apartment's own query. Key changes are written to the
apartment's own history (field "keys"), so the apartment's history page
shows where every key went."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from audit.context import AuditContext

    from ..models import Apartment

from typing import Any

from django.db import transaction
from django.db.models import Aggregate, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import Change, log_access, record_changes

from ..models import KeySet

KEY_FIELDS = ["count", "tag", "kept_at", "note"]


def _keys_label() -> str:
    return str(KeySet._meta.verbose_name_plural)


def describe_keys(keyset: KeySet) -> str:
    text = _("%(count)s × %(tag)s, kept: %(kept_at)s") % {
        "count": keyset.count, "tag": keyset.tag or "–", "kept_at": keyset.kept_at,
    }
    return f"{text} ({keyset.note})" if keyset.note else text


def _record_keys(ctx: AuditContext, apartment: Apartment, old: str, new: str) -> None:
    record_changes(ctx, apartment, [Change("keys", _keys_label(), old, new)])


@transaction.atomic
def add_keys(ctx: AuditContext, apartment: Apartment, keyset: KeySet) -> KeySet:
    keyset.apartment = apartment
    keyset.save()
    _record_keys(ctx, apartment, "", describe_keys(keyset))
    log_access(ctx, AccessAction.CREATE, keyset)
    return keyset


@transaction.atomic
def update_keys(ctx: AuditContext, keyset: KeySet) -> KeySet:
    stored = KeySet.objects.select_for_update().get(pk=keyset.pk)
    before, after = describe_keys(stored), describe_keys(keyset)
    keyset.save()
    if before != after:
        _record_keys(ctx, keyset.apartment, before, after)
    log_access(ctx, AccessAction.UPDATE, keyset)
    return keyset


@transaction.atomic
def remove_keys(ctx: AuditContext, keyset: KeySet) -> None:
    apartment = keyset.apartment
    described = describe_keys(keyset)
    log_access(ctx, AccessAction.DELETE, keyset, note=described[:300])
    keyset.delete()
    _record_keys(ctx, apartment, described, "")


class JSONList(Aggregate):
    """The grouped rows as one JSON list (jsonb_agg on PostgreSQL,
    json_group_array on SQLite), so that a page can read a few small child
    rows within its parent's query."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, list]:
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def keys_as_json() -> Subquery:
    """The apartment's key sets as a list of dicts (id, count, tag, kept_at,
    note), in the apartment's own query: the apartment page would otherwise
    pass its query budget."""
    return Subquery(
        KeySet.objects.filter(apartment=OuterRef("pk"))
        .values("apartment")
        .annotate(sets=JSONList(JSONObject(id="id", count="count", tag="tag", kept_at="kept_at", note="note")))
        .values("sets"),
        output_field=JSONField(),
    )


def key_sets_of(apartment: Apartment) -> list[dict]:
    """The key sets read by keys_as_json(), oldest first."""
    return sorted(getattr(apartment, "key_sets", None) or [], key=lambda keyset: keyset["id"])
