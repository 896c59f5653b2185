"""How a person is identified in IVO's individual report (docs/ivo.md).

IVO asks for the personal identity number or coordination number, written
YYYYMMDD-NNNN, so that it can follow the case and apply for the special fee.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.personnummer import format_digits

if TYPE_CHECKING:
    from referrals.models import Client


def ivo_identity(client: Client) -> str:
    """The person's identity as IVO's form asks for it: YYYYMMDD-NNNN."""
    return format_digits(client.personal_number)
