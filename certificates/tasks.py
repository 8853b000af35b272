"""Background work for certificates (django-tasks)."""

from django.dispatch import receiver
from django_tasks import task

from certificates.services import certificate_render
from certificates.signals import certificate_issued


@task()
def render_certificate(certificate_id: int) -> str:
    """Render and store a certificate's PDF once; later runs find it stored and stop."""
    return certificate_render(certificate_id=certificate_id)


@receiver(certificate_issued, dispatch_uid="certificates.render_after_issue")
def queue_render(sender, certificate, **kwargs):
    render_certificate.enqueue(certificate.pk)
