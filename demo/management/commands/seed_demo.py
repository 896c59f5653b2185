"""Fill the database with deterministic fictional demo data.

The seeders run in the explicit order of demo.seeding.AREAS (lowest layer
first), so later ones build on what earlier ones made. Running it again adds
nothing where data exists, and always (re)creates the demo users and prints
them.
"""

import time
from datetime import date
from random import Random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.context import SCALES, DemoContext
from demo.seeding import seed_all
from demo.users import demo_second_factor
from reports import invalidation


class Command(BaseCommand):
    help = "Create fictional demo data and one demo user per role."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2016)
        parser.add_argument(
            "--force", action="store_true",
            help="Run even with DEBUG off (benchmarks). Never on a production database.",
        )

    def handle(self, *args, scale, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with known passwords; refusing with DEBUG off (use --force for a benchmark database).")
        started = time.monotonic()
        ctx = DemoContext(
            rng=Random(seed), scale=scale, today=date.today(), sizes=SCALES[scale],
            log=lambda message: self.stdout.write(message),
        )
        # The receivers that keep closed years' figures up to date skip the
        # seed's backdated records one by one (reports.invalidation).
        with transaction.atomic(), invalidation.suspended():
            seed_all(ctx, on_area_done=lambda area, seconds: self.stdout.write(f"  {area}: {seconds:.1f} s"))
        self.stdout.write(f"Demodata ({scale}) klar på {time.monotonic() - started:.1f} s.")
        self.stdout.write("Demoanvändare (användarnamn / lösenord / roll / TOTP-nyckel för autentiseringsappen / kod just nu):")
        for username, password, role in ctx.demo_logins:
            key, code = demo_second_factor(username)
            self.stdout.write(f"  {username:<12} {password:<18} {role:<20} {key}  {code}")
        self.stdout.write(
            "Steg två: lägg in nyckeln i en autentiseringsapp, eller hämta aktuell kod med "
            "`DEBUG=1 .venv/bin/python manage.py demo_code <användarnamn>`."
        )
