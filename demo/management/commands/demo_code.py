"""Print the current second-step code of a demo user (make run only).

The demo users' authenticator keys are fixed and printed by seed_demo; this
saves opening an app when showing the system. Refuses with DEBUG off, and
for any account whose key is not the demo key, so it can never read a real
user's code.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.users import demo_second_factor, demo_totp_key


class Command(BaseCommand):
    help = "Print a demo user's current TOTP code (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code is for the demo only; refusing with DEBUG off.")
        if not TOTPDevice.objects.filter(user__username=username, key=demo_totp_key(username), confirmed=True).exists():
            raise CommandError(f"{username} has no demo authenticator (run seed_demo).")
        _key, code = demo_second_factor(username)
        self.stdout.write(code)
