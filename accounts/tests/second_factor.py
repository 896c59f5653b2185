"""Helpers for tests of the second step."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

# A fixed, fictional key (20 bytes hex), so that codes can be computed.
TEST_KEY = "3132333435363738393031323334353637383930"


def give_totp(user, key=TEST_KEY):
    return TOTPDevice.objects.create(user=user, name="app", key=key, confirmed=True)


def code_for(device, offset=0):
    """The code the app shows now (offset in steps of 30 s)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def fresh_code(device):
    """A code the device accepts again, even within the same 30 s (django-otp
    refuses a time step it has already seen)."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return code_for(device)


def mark_client_verified(client, user):
    """Mark a test client's session as past the second step, as a real
    login does after the code (for force_login in tests and the bench)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.login.services import STAMP_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = "otp_totp.totpdevice/0"
    session[STAMP_SESSION_KEY] = user.security_stamp
    session.save()
