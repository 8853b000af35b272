from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from wagtail.signals import page_published

        from courses import receivers
        from courses.models import CoursePage

        # A course is pinned to the policy versions in force whenever it is published,
        # from whichever place Wagtail publishes it.
        page_published.connect(
            receivers.pin_course_policies, sender=CoursePage, dispatch_uid="course_pins"
        )
