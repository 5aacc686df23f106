import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import user_grant_role


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified primary email. `roles=["volunteer", ...]` grants roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            user_grant_role(user=self, role=role)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )
