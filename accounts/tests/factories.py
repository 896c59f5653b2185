import factory
from django.contrib.auth.models import Group

from accounts.models import Unit, User


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("municipality", "name")

    name = "Socialtjänsten, vuxenenheten"
    municipality = factory.Sequence(lambda n: f"Testkommun {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    # Staff surnames never collide with the Faker surnames of clients, so
    # that tests asserting a client's name is absent cannot fail by chance.
    last_name = factory.Sequence(lambda n: f"Medarbetare{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    unit = factory.SubFactory(UnitFactory)
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
