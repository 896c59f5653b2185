import pytest

# The names the test registers (tests/data/*.csv) use in the area and
# landlord columns: the import accepts only names in the unit's lists.
REGISTER_AREAS = ["Centrum", "Norr", "Söder", "Väster"]
REGISTER_LANDLORDS = ["Brf Låtsaslunden", "Fiktiva Bostäder AB", "Hyresbolaget Påhitt AB"]


def register_lists(unit):
    from tenancies.models import Area, Landlord

    for name in REGISTER_AREAS:
        Area.objects.get_or_create(unit=unit, name=name)
    for name in REGISTER_LANDLORDS:
        Landlord.objects.get_or_create(unit=unit, name=name)


@pytest.fixture(autouse=True)
def _register_lists(request):
    """The import tests' unit has the lists their files name."""
    if "import" in request.module.__name__:
        for name in ("unit", "other_unit"):
            if name in request.fixturenames:
                register_lists(request.getfixturevalue(name))
