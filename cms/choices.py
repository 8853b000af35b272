"""Choices shared by the policy models, services and forms."""

from django.db import models


class ChangeKind(models.TextChoices):
    EDITORIAL = "editorial", "Editorial: wording only, nobody is re-trained (minor version)"
    MATERIAL = "material", "Material: obligations changed, staff recertify (major version)"
