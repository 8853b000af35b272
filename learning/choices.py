"""Names shared by models, services, migrations and the admin."""

from django.db import models


class Role(models.TextChoices):
    """The permission groups every installation has; created by a data migration."""

    LEARNERS = "Learners", "Learners"
    TRAINERS = "Trainers", "Trainers"
    HR = "HR", "HR"
    MANAGERS = "Managers", "Managers"
