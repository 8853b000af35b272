from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        # Connects the receiver that queues the closing of timed attempts.
        from assessments import tasks  # noqa: F401
