"""The apps' declarations of a person's records (`culling_sources` on each
AppConfig), collected and checked here.

Each entry: "model" (label), "client" (lookup from the model to the
client's id, "pk" for the client itself), "dates" (fields that count as an
entry in the file), optional "open" (callable(today) -> Q: such a record
keeps the whole file), and either "delete" (order, lowest first) or
"cascade" (the declared parent whose deletion removes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from django.apps import apps

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db import models
    from django.db.models import Q


@dataclass(frozen=True)
class Source:
    model: type[models.Model]
    client: str
    dates: tuple[str, ...]
    open: Callable[..., Q] | None = None
    delete: int | None = None
    cascade: str | None = None
    app_label: str = field(default="")

    @property
    def kind(self) -> str:
        """The record kind: the model's lower-case label ("referrals.decision")."""
        return self.model._meta.label_lower

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def for_clients(self, client_ids):
        return self.model._default_manager.filter(**{f"{self.client}__in": client_ids})


@cache
def sources() -> tuple[Source, ...]:
    """Every declared source, in delete order (cascaded ones after their
    parent, for listing)."""
    found = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "culling_sources", ()):
            found.append(Source(
                model=apps.get_model(entry["model"]), client=entry["client"], dates=tuple(entry["dates"]),
                open=entry.get("open"), delete=entry.get("delete"), cascade=entry.get("cascade"),
                app_label=config.label,
            ))
    by_label = {source.model._meta.label: source for source in found}

    def position(source):
        parent = by_label.get(source.cascade) if source.cascade else None
        return (parent.delete if parent else source.delete or 0, 1 if parent else 0, source.kind)

    return tuple(sorted(found, key=position))


def deleted_in_order() -> list[Source]:
    return sorted((s for s in sources() if s.delete is not None), key=lambda s: s.delete)


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every record kind, for the rules' exempt kinds."""
    return [(s.kind, s.label.capitalize()) for s in sources() if s.model._meta.model_name != "client"]


def kind_labels() -> dict[str, str]:
    return {s.kind: s.label.capitalize() for s in sources()}
