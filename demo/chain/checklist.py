"""Demo data: the checklist per kind of order (docs/housing-chain.md).

Nothing is stored for the demo's units: their rules page
(bolots:checklist_rules) shows the default of
bolots.services.checklist_rules (every item asked, except outpatient
treatment on Housing First support), which is what a unit starts with."""

from __future__ import annotations

from ..context import DemoContext


def seed(ctx: DemoContext) -> None:
    """Nothing to add: the default needs no rows; a second run adds nothing."""
