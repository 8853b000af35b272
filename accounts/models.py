"""The user account: people sign in with their email address, there are no usernames."""

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

MANAGERS_GROUP = "Managers"  # one of the role groups learning's migrations create


class EmailUserManager(UserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = EmailUserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def leads_a_team(self) -> bool:
        """In the Managers group, or someone's active manager: the team page has something
        for them. One query, once per request. The group and the staff record belong to
        ``learning``; they are named here, not imported, so this app stays at the bottom."""
        if not self.pk:
            return False
        return (
            type(self)
            ._default_manager.filter(pk=self.pk)
            .filter(
                Q(groups__name=MANAGERS_GROUP)
                | Q(employee__active=True, employee__reports__isnull=False)
            )
            .exists()
        )

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        # The address as stored, so a save can tell that it changed (see receivers.py).
        user._stored_email = user.__dict__.get("email")
        return user

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        stored = getattr(self, "_stored_email", None)
        update_fields = kwargs.get("update_fields")
        writes_email = update_fields is None or "email" in update_fields
        self.email_changed_from = stored if writes_email and stored != self.email else None
        super().save(*args, **kwargs)
        if writes_email:
            self._stored_email = self.email

    # Sessions are bound to the password (Django's rule) and to the sign-in address: a
    # changed address signs the person out of every browser, whatever the session store.
    def _session_auth_hash(self, secret=None) -> str:
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}\0{self.email}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_session_auth_hash(self) -> str:
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=fallback_secret)
