"""Legal references as data (docs/ivo.md "Legal references").

The Social Services Act 2025:400 replaced 2001:453 on 1 July 2025 and
renumbered it. Code never names a paragraph: it asks for the reference on a
topic (LegalTopic) in force on a day, and gets the old act's for a decision
made before the change and the new act's after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F

from ..models import LegalReference

if TYPE_CHECKING:
    from datetime import date


def reference_for(topic: str, on: date) -> LegalReference | None:
    """The reference on `topic` in force on `on`; the latest in force if two
    overlap (a later amendment), None when no act covers the day."""
    return (
        LegalReference.objects.filter(topic=topic)
        .valid_on(on)
        .order_by(F("valid_from").desc(nulls_last=True), "-pk")
        .first()
    )
