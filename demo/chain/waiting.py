"""Demo data: waiting (docs/housing-chain.md)."""

from __future__ import annotations

from ..context import DemoContext


def seed(ctx: DemoContext) -> None:
    """Filled in by the waiting part; a second run adds nothing."""
