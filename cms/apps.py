from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Site and policies"

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.signals import page_published

        from cms import receivers
        from cms.cache_table import create_cache_table
        from cms.models import PolicyPage

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="cache_table")

        # Wagtail publishes from the editor, workflow approval, scheduled publishing and
        # bulk actions; page_published is the one place every one of them passes.
        page_published.connect(
            receivers.record_policy_version, sender=PolicyPage, dispatch_uid="policy_version"
        )
