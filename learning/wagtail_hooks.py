"""Admin wiring for people: viewsets, the staff import page and its log actions."""

from django.contrib import messages
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin import messages as admin_messages
from wagtail.admin.menu import MenuItem

from cms.models import PolicyPage
from cms.panels import DESCRIBE_POLICY_CHANGE
from courses.models import CoursePolicyPin
from courses.stale_quotes import courses_to_republish
from learning import admin_views
from learning.admin_home import ITEM_ANALYSIS_PERMISSION as TRAINER_SUMMARY_PERMISSION
from learning.admin_home import hr_summary_panel_for, trainer_summary_panel_for
from learning.evidence_admin import employee_record_urls
from learning.hr_reports import HR_REPORTS, recertification_people_urls
from learning.hr_reports import PERMISSION as HR_REPORT_PERMISSION
from learning.jobs import job_for_task
from learning.jobs_admin import PERMISSION as JOBS_PERMISSION
from learning.jobs_admin import jobs_urls, jobs_waiting_panel_for
from learning.policy_impact_admin import describe_policy_change, policy_impact_urls
from learning.recertification import FAN_OUT_DONE
from learning.reports import PERMISSION as COMPLIANCE_PERMISSION
from learning.reports import ComplianceReportView
from learning.tasks import recertify_after_policy_change
from learning.viewsets import PeopleViewSetGroup, TrainingViewSetGroup


@hooks.register("register_admin_viewset")
def register_people_viewsets():
    return PeopleViewSetGroup()


@hooks.register("register_admin_viewset")
def register_training_viewsets():
    return TrainingViewSetGroup()


@hooks.register("register_admin_urls")
def register_compliance_urls():
    return [
        path("reports/compliance/", ComplianceReportView.as_view(), name="learning_compliance"),
        path(
            "reports/compliance/results/",
            ComplianceReportView.as_view(results_only=True),
            name="learning_compliance_results",
        ),
    ]


class ComplianceMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(COMPLIANCE_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_compliance_menu_item():
    return ComplianceMenuItem(
        "Compliance", reverse("learning_compliance"), icon_name="tasks", order=100
    )


@hooks.register("register_admin_urls")
def register_employee_record_urls():
    return employee_record_urls()


@hooks.register("register_admin_urls")
def register_staff_import_url():
    return [
        path("people/import/", admin_views.staff_import_view, name="learning_staff_import"),
        path(
            "people/import/template.csv",
            admin_views.staff_import_template_view,
            name="learning_staff_import_template",
        ),
    ]


class StaffImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("learning.import_staff")


@hooks.register("register_admin_menu_item")
def register_staff_import_menu_item():
    return StaffImportMenuItem(
        "Import staff", reverse("learning_staff_import"), icon_name="upload", order=310
    )


@hooks.register("register_admin_urls")
def register_hr_report_urls():
    urls = []
    for slug, view in HR_REPORTS.items():
        urls += [
            path(f"reports/{slug}/", view.as_view(), name=view.index_url_name),
            path(
                f"reports/{slug}/results/",
                view.as_view(results_only=True),
                name=view.index_results_url_name,
            ),
        ]
    return urls + recertification_people_urls()


class HRReportMenuItem(MenuItem):
    """One of HR's reports in the Reports menu, shown to HR only."""

    def __init__(self, slug: str, order: int):
        view = HR_REPORTS[slug]
        url = reverse(view.index_url_name)
        super().__init__(view.page_title, url, icon_name=view.header_icon, order=order)

    def is_shown(self, request):
        return request.user.has_perm(HR_REPORT_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_overdue_menu_item():
    return HRReportMenuItem("overdue", order=101)


@hooks.register("register_reports_menu_item")
def register_expiring_certificates_menu_item():
    return HRReportMenuItem("expiring-certificates", order=102)


@hooks.register("register_reports_menu_item")
def register_recertification_menu_item():
    return HRReportMenuItem("recertification", order=103)


@hooks.register("register_reports_menu_item")
def register_assessment_results_menu_item():
    return HRReportMenuItem("assessment-results", order=104)


@hooks.register("register_log_actions")
def register_people_log_actions(actions):
    actions.register_action("learning.deactivate", "Deactivate employee", "Employee deactivated")
    actions.register_action("learning.assign", "Assign course", "Course assigned")
    actions.register_action("learning.unassign", "Withdraw course", "Course withdrawn")
    actions.register_action("learning.complete", "Complete course", "Course completed")
    actions.register_action(FAN_OUT_DONE, "Start recertification", "Recertification started")
    actions.register_action("learning.export", "Export a report", "Report exported")
    actions.register_action(
        "learning.evidence_pack", "Generate evidence pack", "Evidence pack generated"
    )
    actions.register_action("learning.nudge", "Send a reminder", "Reminder sent by a manager")


@hooks.register("after_publish_page")
def tell_the_publisher_about_recertification(request, page):
    """After a material policy version: who will be retrained, or why nobody will."""
    if not isinstance(page.specific, PolicyPage):
        return
    version = page.specific.current_version
    if version is None or not version.is_material or version.major == 1:
        return
    if version.revision_id != page.live_revision_id:
        return  # this publish made no new version (nothing changed)
    courses = CoursePolicyPin.objects.filter(version__policy_id=page.pk)
    if not courses.exists():
        messages.warning(
            request,
            f"No course teaches {page.title}, so version {version.label} puts nobody through "
            "recertification. Add the policy to a course and publish it to train staff on it.",
        )
    else:
        job = job_for_task(recertify_after_policy_change, (version.pk,))
        to_republish = courses_to_republish(policy_id=page.pk)
        effective = timezone.localdate(version.effective_at)
        text = (
            f"Version {version.label} is material"
            + (
                f" and takes effect on {effective:%-d %b %Y}"
                if effective > timezone.localdate()
                else ""
            )
            + ": everyone certified on an earlier version is being given a refresher."
        )
        if to_republish:
            titles = ", ".join(entry.course.title for entry in to_republish)
            text += (
                f" Courses to update to {page.title} {version.label}: {titles}. Each course's "
                "update list names what cites the changed sections; its refresher opens, with "
                f"{version.recertification_days} days to complete it, once the course is "
                "published again."
            )
        else:
            text += f" Staff have {version.recertification_days} days to complete it."
        buttons = [
            admin_messages.button(
                reverse("courses_update_list", args=[entry.course.pk]),
                f"Update list: {entry.course.title}",
            )
            for entry in to_republish
        ]
        if request.user.has_perm(JOBS_PERMISSION):
            buttons.append(
                admin_messages.button(
                    reverse("learning_job", args=[job.pk]) if job else reverse("learning_jobs"),
                    "Follow the recertification job",
                )
            )
        admin_messages.info(request, text, buttons=buttons or None)


# The policy editor's impact preview: the courses to update and the certificates that
# would fall due, with the page naming their holders.
hooks.register(DESCRIBE_POLICY_CHANGE, describe_policy_change)


@hooks.register("register_admin_urls")
def register_policy_impact_urls():
    return policy_impact_urls()


@hooks.register("register_admin_urls")
def register_background_jobs_urls():
    return jobs_urls()


class BackgroundJobsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(JOBS_PERMISSION)


@hooks.register("register_reports_menu_item")
def register_background_jobs_menu_item():
    return BackgroundJobsMenuItem(
        "Background jobs", reverse("learning_jobs"), icon_name="cogs", order=190
    )


@hooks.register("construct_homepage_panels")
def add_background_jobs_warning(request, panels):
    panel = jobs_waiting_panel_for(request)
    if panel is not None:
        panels.append(panel)


@hooks.register("construct_homepage_panels")
def add_role_summaries(request, panels):
    for panel in (hr_summary_panel_for(request), trainer_summary_panel_for(request)):
        if panel is not None:
            panels.append(panel)


@hooks.register("construct_homepage_summary_items", order=100)
def drop_page_counts_for_summarised_roles(request, summary_items):
    # HR and trainers get their own summaries; the counts of pages, images and
    # documents tell them nothing the menu does not. Ordered after Wagtail's own hooks,
    # which add those counts.
    if request.user.has_perm(HR_REPORT_PERMISSION) or request.user.has_perm(
        TRAINER_SUMMARY_PERMISSION
    ):
        summary_items.clear()


@hooks.register("before_serve_document")
def check_document_access(document, request):
    # Documents go only to people who may see training that uses them, or to staff with
    # document permissions; see learning/document_access.py.
    from learning.document_access import document_serve_check

    return document_serve_check(document, request)
