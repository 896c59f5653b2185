"""Link an account to its holder's identity at the municipality's provider.

    manage.py link_oidc_subject <username> <identity> [--issuer URL]
    manage.py link_oidc_subject <username> --unlink

The identity is what the refusal page showed the person after their first
login attempt (the OIDC_SUBJECT_CLAIM of their ID token). Run by the
operator on the server: the link lets the person use an account that exists
already, with the roles and unit it was given in Bolots (docs/access.md).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.oidc.services import LinkError, link_subject
from audit.context import AuditContext


class Command(BaseCommand):
    help = "Link (or unlink) an account to its holder's identity at the identity provider."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("subject", nargs="?", default="")
        parser.add_argument("--issuer", default="", help="the provider's issuer; OIDC_OP_ISSUER by default")
        parser.add_argument("--unlink", action="store_true")

    def handle(self, username, subject, issuer, unlink, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        if unlink:
            subject = ""
        elif not subject:
            raise CommandError("Give the identity at the provider, or --unlink.")
        issuer = issuer or settings.OIDC_OP_ISSUER
        if subject and not issuer:
            raise CommandError("No issuer: set OIDC_OP_ISSUER or give --issuer.")
        try:
            link_subject(AuditContext.system(None, "manage.py link_oidc_subject"), user, issuer, subject)
        except LinkError as exc:
            raise CommandError(f"Not linked: {exc}.") from exc
        self.stdout.write(f"{username}: {'linked' if subject else 'unlinked'}.")
