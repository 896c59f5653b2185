"""Demo data: units and users. See accounts/management/commands/seed_demo.py
for how each app's demo.py is called."""

from dataclasses import dataclass, field
from datetime import date
from random import Random

from django.contrib.auth.models import Group, Permission

from .models import Unit, User
from .roles import Role

SCALES = {
    # units, case officers per unit, bolotsar per unit, clients in all
    "small": {"units": 1, "officers": 3, "pilots": 4, "clients": 150},
    "municipality": {"units": 1, "officers": 6, "pilots": 8, "clients": 600},
    "national": {"units": 290, "officers": 4, "pilots": 4, "clients": 60_000},
}

# The demo users printed by `make run`. Passwords are for local demos only:
# seed_demo refuses to run with DEBUG off unless forced.
DEMO_USERS = [
    ("handlaggare", Role.CASE_OFFICER, "Hanna", "Handläggare"),
    ("bolots", Role.PILOT, "Bo", "Lots"),
    ("boendeadmin", Role.HOUSING_ADMIN, "Bengt", "Boendesamordnare"),
    ("chef", Role.MANAGER, "Cecilia", "Chef"),
    ("sysadmin", Role.SYSTEM_ADMIN, "Sven", "Systemförvaltare"),
]

FIRST_NAMES_FEMALE = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Linnea",
    "Sofia", "Elin", "Ida", "Johanna", "Malin", "Amira", "Fatima", "Hanna", "Julia", "Ebba",
    "Agnes", "Maja", "Alva", "Nora", "Leila", "Birgitta", "Ulla", "Camilla", "Therese", "Jenny",
]
FIRST_NAMES_MALE = [
    "Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Mikael", "Peter", "Jan", "Hassan",
    "Ali", "Oskar", "Lucas", "Elias", "Hugo", "Viktor", "Ahmed", "Mohammed", "Nils", "Olof",
    "Stefan", "Mats", "Fredrik", "Daniel", "Tobias", "Emil", "Sven", "Göran", "Jonas", "Kent",
]
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist",
    "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Mattsson",
    "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Ali", "Mohammed", "Nyström", "Holm",
    "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk",
]
STREETS = [
    "Storgatan", "Kyrkvägen", "Skolgatan", "Björkvägen", "Ekbacken", "Tingsvägen", "Lindvägen",
    "Mossvägen", "Allévägen", "Ängsvägen", "Bergsgatan", "Västra vägen", "Granstigen",
]


@dataclass
class DemoContext:
    """Shared by every app's demo seeder; later seeders read what earlier
    ones made (units, users by role)."""

    rng: Random
    scale: str
    today: date
    sizes: dict
    units: list = field(default_factory=list)
    users_by_unit: dict = field(default_factory=dict)  # unit id -> {role: [users]}
    demo_logins: list = field(default_factory=list)  # [(username, password, role)]
    log: object = print


def ensure_demo_users(unit):
    """The fixed demo users (one per role), created or reset; returns
    [(username, password, role)] to print."""
    printed = []
    for username, role, first, last in DEMO_USERS:
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "unit": unit},
        )
        password = f"{username}-demo"
        if not user.check_password(password):
            user.set_password(password)
        user.is_staff = role == Role.SYSTEM_ADMIN
        user.is_active = True
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if role == Role.MANAGER:
            # One demo user sees protected addresses, to show the difference.
            user.user_permissions.add(
                Permission.objects.get(codename="view_protected_client", content_type__app_label="referrals")
            )
        demo_authenticator(user)
        printed.append((username, password, role))
    return printed


def demo_totp_key(username):
    """A fixed TOTP key per demo user, derived from the name: the demo data
    is rebuilt at will and the keys stay the same, so a demo user adds the
    printed key to an authenticator app once. Demo only (seed_demo refuses
    to run with DEBUG off)."""
    import hashlib

    return hashlib.sha1(f"bolots-demo-totp-{username}".encode()).hexdigest()


def demo_authenticator(user):
    """Give a demo user its fixed authenticator app and lift any lock, so
    that `make run` always starts with users who can log in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = demo_totp_key(user.username)
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    TOTPDevice.objects.get_or_create(user=user, key=key, defaults={"name": "demo", "confirmed": True})
    User.objects.filter(pk=user.pk).update(second_factor_failures=0, second_factor_locked_at=None)


STAFF_SLUGS = {Role.CASE_OFFICER: "hl", Role.PILOT: "bl", Role.MANAGER: "ch", Role.HOUSING_ADMIN: "ba"}


def seed(ctx):
    """Units and their staff, in bulk: the national scale has 290 units and
    nearly 3 000 staff, too many for one query per user."""
    groups = {group.name: group for group in Group.objects.all()}
    municipalities = ["Vallentuna"] if ctx.sizes["units"] == 1 else [
        f"Demokommun {number:03d}" for number in range(1, ctx.sizes["units"] + 1)
    ]
    unit_name = "Socialtjänsten, vuxenenheten"
    existing_units = {unit.municipality: unit for unit in Unit.objects.filter(name=unit_name)}
    Unit.objects.bulk_create(
        [Unit(municipality=m, name=unit_name) for m in municipalities if m not in existing_units]
    )
    units = {unit.municipality: unit for unit in Unit.objects.filter(name=unit_name, municipality__in=municipalities)}
    ctx.units.extend(units[m] for m in municipalities)

    wanted = []  # (unit, role, username)
    for unit in ctx.units:
        for role, count in ((Role.CASE_OFFICER, ctx.sizes["officers"]), (Role.PILOT, ctx.sizes["pilots"]),
                            (Role.MANAGER, 1), (Role.HOUSING_ADMIN, 1)):
            for number in range(1, count + 1):
                wanted.append((unit, role, f"{STAFF_SLUGS[role]}{number}.{unit.pk}"))
    existing = set(User.objects.filter(username__in=[name for _u, _r, name in wanted]).values_list("username", flat=True))
    new_users = []
    for unit, role, username in wanted:
        # Drawn for every user, new or not, so that the sequence (and thus all
        # later demo data) does not depend on what already exists.
        female = ctx.rng.random() < 0.6
        first = ctx.rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE)
        last = ctx.rng.choice(LAST_NAMES)
        if username not in existing:
            # Staff other than the demo users cannot log in.
            user = User(username=username, first_name=first, last_name=last, unit=unit)
            user.set_unusable_password()
            new_users.append((user, role))
    User.objects.bulk_create([user for user, _role in new_users], batch_size=2000)
    by_username = User.objects.in_bulk([name for _u, _r, name in wanted], field_name="username")
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=by_username[user.username].pk, group_id=groups[role].pk) for user, role in new_users],
        batch_size=5000,
    )
    for unit, role, username in wanted:
        ctx.users_by_unit.setdefault(unit.pk, {}).setdefault(role, []).append(by_username[username])
    first = ctx.units[0]
    ctx.demo_logins = ensure_demo_users(first)
    # The demo users take part in the first unit's work like everyone else.
    for username, role, _first, _last in DEMO_USERS:
        if role in (Role.CASE_OFFICER, Role.PILOT, Role.MANAGER, Role.HOUSING_ADMIN):
            ctx.users_by_unit[first.pk].setdefault(role, []).insert(0, User.objects.get(username=username))


def demo_second_factor(username):
    """(key as the app wants it, the code valid now) for a demo user."""
    from base64 import b32encode

    from django_otp.oath import totp

    key = bytes.fromhex(demo_totp_key(username))
    secret = b32encode(key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), f"{totp(key):06d}"
