"""Fill the database with deterministic fictional demo data.

Each app may have a `demo.py` with `seed(ctx)`; they run in INSTALLED_APPS
order (lowest layer first), so later apps build on what earlier ones made.
Running it again adds nothing where data exists, and always (re)creates the
demo users and prints them.
"""

import time
from datetime import date
from importlib import import_module
from importlib.util import find_spec
from random import Random

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import SCALES, DemoContext, demo_second_factor


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
        with transaction.atomic():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if config.path.startswith(str(settings.BASE_DIR)) and find_spec(module_name):
                    app_started = time.monotonic()
                    import_module(module_name).seed(ctx)
                    self.stdout.write(f"  {config.label}: {time.monotonic() - app_started:.1f} s")
        self.stdout.write(f"Demodata ({scale}) klar på {time.monotonic() - started:.1f} s.")
        self.stdout.write("Demoanvändare (användarnamn / lösenord / roll / TOTP-nyckel för autentiseringsappen / kod just nu):")
        for username, password, role in ctx.demo_logins:
            key, code = demo_second_factor(username)
            self.stdout.write(f"  {username:<12} {password:<18} {role:<20} {key}  {code}")
        self.stdout.write(
            "Steg två: lägg in nyckeln i en autentiseringsapp, eller hämta aktuell kod med "
            "`DEBUG=1 .venv/bin/python manage.py demo_code <användarnamn>`."
        )
