"""An uploaded file waiting between its preview and its confirmation (the
register import, the opening balances), kept in the media storage
(default_storage) so that the confirm may reach another web process or
host than the preview did (issue 16 §4: media are shared state).

Named by a random token that only the user's session holds; taken (read and
deleted) once; left-overs older than a day are deleted at the next upload.
The storage is private (never served; files 0600 on disk, a private bucket
in S3), and the file holds personal data, so it never outlives its use.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_AGE = timedelta(days=1)


def _name(folder: str, token: object) -> str | None:
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    return f"{folder}/{token}.upload"


def store(folder: str, data: bytes) -> str:
    """Keep `data`; returns the token to put in the session."""
    remove_stale(folder)
    token = secrets.token_hex(16)
    name = _name(folder, token)
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # a random 128-bit name never exists already
        default_storage.delete(saved)
        raise RuntimeError("pending upload name taken")
    return token


def take(folder: str, token: object) -> bytes | None:
    """The waiting file's bytes (None when absent or the token is not one),
    and the file deleted."""
    name = _name(folder, token)
    if name is None:
        return None
    try:
        if not default_storage.exists(name):
            return None
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        discard(folder, token)


def discard(folder: str, token: object) -> None:
    name = _name(folder, token)
    if name is not None:
        default_storage.delete(name)


def remove_stale(folder: str) -> None:
    """Files left by sessions that never confirmed nor cancelled."""
    limit = timezone.now() - MAX_AGE
    try:
        _dirs, files = default_storage.listdir(folder)
    except OSError:  # the folder does not exist yet
        return
    for filename in files:
        name = f"{folder}/{filename}"
        try:
            if filename.endswith(".upload") and default_storage.get_modified_time(name) < limit:
                default_storage.delete(name)
        except OSError:
            continue
