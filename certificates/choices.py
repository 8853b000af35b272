from django.db import models


class CertificateStatus(models.TextChoices):
    VALID = "valid", "Valid"
    RECERTIFICATION_DUE = "recertification_due", "Recertification due"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded"
    REVOKED = "revoked", "Revoked"


# Statuses in which a certificate still vouches for its holder.
CURRENT_STATUSES = (CertificateStatus.VALID, CertificateStatus.RECERTIFICATION_DUE)
