from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self):
        # Connects the receiver that queues each new certificate's PDF.
        from certificates import tasks  # noqa: F401
