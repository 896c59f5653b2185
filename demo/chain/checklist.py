"""Demo data: checklist (docs/housing-chain.md)."""

from __future__ import annotations

from ..context import DemoContext


def seed(ctx: DemoContext) -> None:
    """Filled in by the checklist part; a second run adds nothing."""
