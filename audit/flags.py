"""Flags and client links of the log review, declared by the apps above.

audit cannot name clients or orders (docs/architecture.md, "Layers"), so an
app that knows them declares on its AppConfig:

- `access_log_flags()` -> [{"code", "label", "badge", "condition"}]: a
  condition is a callable returning a Q on AccessLogEntry's own columns
  (referrals.log_flags);
- `access_log_client_links(user, client_ids)` -> {client id: url}: the
  client pages `user` may open.

The log page filters by the flags' codes (`having_flags`: conditions of
its query), marks the rows it shows with their flags (`mark_flags`: one
query over those rows, whatever their number), and links a row's client
where the reviewer may open them.

The flags are read for the shown rows only, not annotated on the page's
query: there PostgreSQL, estimating the unit's whole log before the LIMIT,
answered each flag's EXISTS by hashing the whole client table (two scans
of every client on every view of the page, 50 ms at national scale); over
the page's fifty ids it looks each row up by index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import BooleanField, ExpressionWrapper

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models import Model, QuerySet


def registered_flags() -> list[dict]:
    found = []
    for config in apps.get_app_configs():
        hook = getattr(config, "access_log_flags", None)
        if hook is not None:
            found += hook()
    return found


def flag_choices() -> list[tuple[str, str]]:
    return [(flag["code"], flag["label"]) for flag in registered_flags()]


def _field(code: str) -> str:
    return "flag_" + code.replace("-", "_")


def _annotations() -> dict:
    return {
        _field(flag["code"]): ExpressionWrapper(flag["condition"](), output_field=BooleanField())
        for flag in registered_flags()
    }


def having_flags(entries: QuerySet, codes: Iterable[str] = ()) -> QuerySet:
    """`entries` narrowed to the rows that have every flag in `codes`
    (unknown codes are ignored)."""
    wanted = set(codes)
    for flag in registered_flags():
        if flag["code"] in wanted:
            entries = entries.filter(flag["condition"]())
    return entries


def mark_flags(rows: Sequence[Model]) -> None:
    """Set `flag_<code>` (True or False) of every registered flag on each of
    `rows` (access-log entries): one query over their ids."""
    annotations = _annotations()
    if not rows or not annotations:
        return
    model = type(rows[0])
    found = {
        values["pk"]: values
        for values in model.objects.filter(pk__in=[row.pk for row in rows]).annotate(**annotations)
        .values("pk", *annotations).order_by()
    }
    for row in rows:
        values = found.get(row.pk, {})
        for name in annotations:
            setattr(row, name, bool(values.get(name, False)))


def row_badges(entry) -> list[str]:
    """The badges of one annotated row."""
    return [str(flag["badge"]) for flag in registered_flags() if getattr(entry, _field(flag["code"]), False)]


def client_links(user: AbstractBaseUser, client_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {client_id for client_id in client_ids if client_id is not None}
    links: dict[int, str] = {}
    if not ids:
        return links
    for config in apps.get_app_configs():
        hook = getattr(config, "access_log_client_links", None)
        if hook is not None:
            links.update(hook(user, ids))
    return links
