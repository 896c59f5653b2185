"""What the housing chain's demo modules share."""

from __future__ import annotations

from random import Random

from ..context import DemoContext


def rng_for(ctx: DemoContext, part: str) -> Random:
    """A Random of the part's own, derived from the run's state without
    drawing from it: adding or changing one part changes no other's data,
    and a different --seed still gives different data."""
    return Random(f"{part}-{ctx.rng.getstate()[1][:4]}")
