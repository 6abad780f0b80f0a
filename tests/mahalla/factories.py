import factory

from mahalla.models import Territory


class MahallaFactory(factory.django.DjangoModelFactory):
    """A mahalla under an existing district (pass `parent`)."""

    class Meta:
        model = Territory

    kind = Territory.Kind.MAHALLA
    subtype = Territory.Subtype.MAHALLA
    code = factory.Sequence(lambda n: f"T{n:08d}")
    name_uz = factory.Sequence(lambda n: f"Sinov {n}")
    name_uz_cyrl = factory.Sequence(lambda n: f"Синов {n}")
    name_ru = factory.Sequence(lambda n: f"Синов {n}")
    name_en = factory.Sequence(lambda n: f"Test {n}")
    population = 3000
    depth = 3
    path = factory.LazyAttribute(lambda o: f"{o.parent.path}{o.code}/")
    search_text = factory.LazyAttribute(lambda o: f"{o.name_uz.lower()} | {o.name_en.lower()}")
