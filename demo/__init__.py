"""Fictional demo data for `make run`, the benchmarks and the page-walking tests.

Nothing here runs in production: the runtime apps never import this package
(demo/tests/test_isolation.py fails if one does). It is an installed app only
so that Django finds its two management commands, `seed_demo` (fill the
database) and `demo_code` (print a demo user's current second-step code).

The seeders run in one explicit order, lowest layer first, each building on
what the earlier ones made and handing it on through the shared `DemoContext`
(demo/context.py). The order is `demo.seeding.AREAS`:

1. accounts  — units and staff, and the demo users printed by `make run`
               (demo/users.py);
2. referrals — fictional clients (demo/clients.py), then their casework from
               2016 to today: decisions, orders and their life, eviction
               notices, concern reports (demo/casework.py, order_life.py,
               casework_plan.py);
3. tenancies — apartments with their history of tenancies, keys and
               complaints, agreeing with the executed decisions
               (demo/housing.py, housing_plan.py);
4. bolots    — visits on the started orders with checklists, signals and
               frequency changes (demo/visits.py, visits_plan.py), housing
               search (demo/housing_search.py) and housing courses
               (demo/courses.py), run by demo/provider.py.

A new area adds its seeder to `AREAS` at the place its data needs: it used to
be found as `<app>/demo.py` in INSTALLED_APPS order, which put demo code into
every runtime app. Every random draw comes from `ctx.rng` in a fixed order, so
a `--seed` always gives the same data (the tests pin figures): reordering the
seeders or their draws changes the data.

Large scales are written with demo/bulk.py (COPY on PostgreSQL).
"""
