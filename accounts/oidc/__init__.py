"""Login through the municipality's identity provider (OpenID Connect).

mozilla-django-oidc does the protocol (authorization code flow, state,
nonce, the token request); this package adds what Bolots needs around it:
the account is found by the provider's stable identifier that a system
administrator linked to it (never created, never given roles by the
provider), the ID token is checked strictly (issuer, audience, expiry), the
second factor is skipped only when the provider asserts strong
authentication, and every refusal ends on a Swedish page, never a 500.
See docs/access.md "Login through the identity provider".
"""
