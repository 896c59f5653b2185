"""Demo units, their staff, and the demo users printed by `make run`: one per
role, with known passwords and fixed authenticator keys (demo only:
seed_demo and demo_code refuse to run with DEBUG off)."""

from django.contrib.auth.models import Group, Permission

from accounts.models import Unit, User
from accounts.roles import Role

from .context import DemoContext
from .names import FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES

# The demo users printed by `make run`. Passwords are for local demos only:
# seed_demo refuses to run with DEBUG off unless forced.
DEMO_USERS = [
    ("handlaggare", Role.CASE_OFFICER, "Hanna", "Handläggare"),
    ("bolots", Role.PILOT, "Bo", "Lots"),
    ("boendeadmin", Role.HOUSING_ADMIN, "Bengt", "Boendesamordnare"),
    ("chef", Role.MANAGER, "Cecilia", "Chef"),
    ("sysadmin", Role.SYSTEM_ADMIN, "Sven", "Systemförvaltare"),
]


def ensure_demo_users(unit: Unit) -> list[tuple[str, str, str]]:
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


def demo_totp_key(username: str) -> str:
    """A fixed TOTP key per demo user, derived from the name: the demo data
    is rebuilt at will and the keys stay the same, so a demo user adds the
    printed key to an authenticator app once. Demo only (seed_demo refuses
    to run with DEBUG off)."""
    import hashlib

    return hashlib.sha1(f"bolots-demo-totp-{username}".encode()).hexdigest()


def demo_authenticator(user: User) -> None:
    """Give a demo user its fixed authenticator app and lift any lock, so
    that `make run` always starts with users who can log in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = demo_totp_key(user.username)
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    TOTPDevice.objects.get_or_create(user=user, key=key, defaults={"name": "demo", "confirmed": True})
    User.objects.filter(pk=user.pk).update(second_factor_failures=0, second_factor_locked_at=None)


STAFF_SLUGS = {Role.CASE_OFFICER: "hl", Role.PILOT: "bl", Role.MANAGER: "ch", Role.HOUSING_ADMIN: "ba"}


def seed(ctx: DemoContext) -> None:
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


def demo_second_factor(username: str) -> tuple[str, str]:
    """(key as the app wants it, the code valid now) for a demo user."""
    from base64 import b32encode

    from django_otp.oath import totp

    key = bytes.fromhex(demo_totp_key(username))
    secret = b32encode(key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), f"{totp(key):06d}"
