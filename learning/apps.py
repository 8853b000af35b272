from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "People and learning"

    def ready(self):
        # Connects learning's receivers for signals sent by the apps below it.
        from learning import receivers  # noqa: F401
