"""News posts; make them inside `in_portal(portal)`."""

import factory
from factory.django import DjangoModelFactory

from news.models import Post
from tests.accounts.factories import UserFactory


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    body = factory.Faker("sentence", locale="de_DE")
