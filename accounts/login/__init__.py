"""Login: password, then a second factor (TOTP, backup code or passkey).

Every page except the ones in this package, static files and the health
check requires a session that passed the second factor, for every role:
all five roles either see case data or decide who may (docs/access.md).
"""
