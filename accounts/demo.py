"""Demo people (all at @haven.example, password haven-demo-2026, email verified). Idempotent:
running it again resets the passwords and roles to these values and creates nothing twice."""

from allauth.account.models import EmailAddress
from django.db import transaction

from core import demo as demo_registry

from .models import User
from .roles import user_grant_role

DEMO_PASSWORD = "haven-demo-2026"

# email, full name, roles
DEMO_PEOPLE: list[tuple[str, str, tuple[str, ...]]] = [
    ("staff@haven.example", "Sam Staff", ("staff",)),
    ("coordinator@haven.example", "Casey Coordinator", ("coordinator", "volunteer")),
    ("volunteer1@haven.example", "Valentina Ruiz", ("volunteer",)),
    ("volunteer2@haven.example", "Victor Nguyen", ("volunteer",)),
    ("volunteer3@haven.example", "Vera Okafor", ("volunteer",)),
    ("donor@haven.example", "Dana Donor", ("donor",)),
]
DEMO_ADMIN = "admin@haven.example"


def _person(email: str, name: str, **flags) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"name": name})
    user.name = name
    for flag, value in flags.items():
        setattr(user, flag, value)
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def seed() -> None:
    for email, name, roles in DEMO_PEOPLE:
        user = _person(email, name)
        for role in roles:
            user_grant_role(user=user, role=role)
    _person(DEMO_ADMIN, "Ada Admin", is_staff=True, is_superuser=True)


def logins() -> list[tuple[str, str]]:
    return [(email, ", ".join(roles)) for email, _name, roles in DEMO_PEOPLE] + [
        (DEMO_ADMIN, "superuser (admin)")
    ]


demo_registry.register("accounts", seed=seed, logins=logins, password=DEMO_PASSWORD)
