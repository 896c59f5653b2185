"""Demo data: person_links (docs/housing-chain.md)."""

from __future__ import annotations

from ..context import DemoContext


def seed(ctx: DemoContext) -> None:
    """Filled in by the person_links part; a second run adds nothing."""
