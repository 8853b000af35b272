from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from django.db.models.signals import pre_delete
        from wagtail.models import Page
        from wagtail.signals import page_published

        from assessments.models import Question
        from cms.signals import policy_version_recorded
        from courses import receivers
        from courses.models import CoursePage, ScenarioPage

        # A course is pinned to the policy versions in force whenever it is published,
        # from whichever place Wagtail publishes it; that publish also finishes its
        # update list.
        page_published.connect(
            receivers.pin_course_policies, sender=CoursePage, dispatch_uid="course_pins"
        )
        # A role-play is frozen as a script, written for the policy versions current then,
        # when it is published: a course still on older versions can find it later.
        page_published.connect(
            receivers.record_scenario_script, sender=ScenarioPage, dispatch_uid="scenario_scripts"
        )
        page_published.connect(
            receivers.close_course_update_list,
            sender=CoursePage,
            dispatch_uid="course_update_list_finished",
        )
        # A material policy version lists, per course, what cites the sections it changed.
        policy_version_recorded.connect(
            receivers.record_course_update_items, dispatch_uid="course_update_items"
        )
        # An item whose module, role-play or question is deleted closes, saying so.
        pre_delete.connect(
            receivers.close_update_items_of_deleted_page,
            sender=Page,
            dispatch_uid="course_update_items_page_deleted",
        )
        pre_delete.connect(
            receivers.close_update_items_of_deleted_question,
            sender=Question,
            dispatch_uid="course_update_items_question_deleted",
        )
