from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Connects the receiver that records, announces and signs out an address change.
        from accounts import receivers  # noqa: F401
