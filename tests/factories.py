"""Factories for rows inside a portal schema. Use them inside `in_portal(portal)`."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from portal.models import Post

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    display_name = factory.Faker("name", locale="de_DE")
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    body = factory.Faker("sentence", locale="de_DE")
