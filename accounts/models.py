"""People and their roles. A person can hold several roles (donor, volunteer, coordinator, staff);
roles are Django groups so that permissions can be attached to them in the admin."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    DONOR = "donor", pgettext_lazy("role", "Donor")
    VOLUNTEER = "volunteer", pgettext_lazy("role", "Volunteer")
    COORDINATOR = "coordinator", pgettext_lazy("role", "Coordinator")
    STAFF = "staff", pgettext_lazy("role", "Staff")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """Signs in with an email address; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    name = models.CharField("full name", max_length=200, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    # The language every message to this person is written in, and their pages' language on a browser
    # that has no choice of its own yet. Set at sign-up from the page's language, changed by the switcher.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en", blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.preferred_name or (self.name.split()[0] if self.name else self.email)

    @property
    def roles(self) -> set[str]:
        """The role names this person holds. Cached per instance: one query however often asked."""
        if not hasattr(self, "_role_cache"):
            names = {g.name for g in self.groups.all()} if self.pk else set()
            self._role_cache = {r for r in Role.values if r in names}
        return self._role_cache

    def has_role(self, role: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return role in self.roles


class AuditEntry(models.Model):
    """One staff action that changed who can do what or touched money or personal data: who, what,
    on which object, when. Written by services through accounts.services.audit_record; never edited."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=100)  # e.g. "role.grant", "donation.refund"
    target_type = models.CharField(max_length=100, blank=True)  # "app_label.model"
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"
