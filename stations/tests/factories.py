import datetime

import factory
from django.contrib.auth import get_user_model

from stations.models import Assignment, Bureau, Person, Post, Station

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bureau

    name = factory.Sequence(lambda n: f"第{n}县公安局")
    code = factory.Sequence(lambda n: f"B{n:04d}")


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    name = factory.Sequence(lambda n: f"第{n}派出所")
    code = factory.Sequence(lambda n: f"S{n:04d}")
    bureau = factory.SubFactory(BureauFactory)
    location = {"type": "Point", "coordinates": [103.8, 25.5]}


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    name = factory.Sequence(lambda n: f"第{n}警务室")
    kind = Post.Kind.COMMUNITY_OFFICE
    station = factory.SubFactory(StationFactory)
    opening_hours = "08:30-17:30"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"民警{n}")
    kind = Person.Kind.OFFICER
    station = factory.SubFactory(StationFactory)
    bureau = factory.LazyAttribute(lambda p: p.station.bureau if p.station else None)
    badge_number = factory.Sequence(lambda n: f"{100000 + n}")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    person = factory.SubFactory(PersonFactory)
    grid = None
    post = None
    role = Assignment.Role.RESPONSIBLE
    start = datetime.date(2026, 1, 1)
    end = None
