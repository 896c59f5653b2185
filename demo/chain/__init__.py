"""Demo data of the housing chain in motion (docs/housing-chain.md), one
module per part, run in the order of seeding.AREAS: vacancies first (from
the demo tenancies' history), then the waiting list's needs and
priorities, the offers, Housing First, person links, the checklist rules
and the narrative texts of the last closed year. Each draws from its own
Random (seeded from ctx.rng's seed and its name) so that adding one changes
no other's data."""
