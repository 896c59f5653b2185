"""Housing First candidates, the working group and the steering group (docs/housing-chain.md)."""

urlpatterns: list = []
