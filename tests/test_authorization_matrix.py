"""Who may open what: every address the site answers, opened by every role.

The matrix walks Django's URL resolver (the admin's registered views, snippets, viewsets
and reports, allauth, the learner pages, verification and the policy pages all included),
fills each pattern's arguments with real ids and tokens of other people's things from the
seeded demo, and opens it with GET signed out and as a learner, a manager, a trainer, HR
and a superuser. ``ACCESS`` below gives every pattern a class, and the class says what
each role must get. A pattern nobody has classified yet fails the test until it is given
a class here: the table is the record of who may do what.

An answer is one of:

- ``OK``: the page (2xx) or a redirect somewhere other than a refusal;
- ``SIGN_IN``: a redirect to the sign-in page;
- ``NO``: 403, 404 (where the product hides that the thing exists), or the Wagtail
  admin's redirect to its dashboard with a "no permission" message.

An address that only answers POST (405 to GET) is sent an empty POST instead, which
must be refused before it is read for whoever may not use it. No one may ever get a
server error.
"""

import io
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="the authorization matrix seeds the demo; it runs once in CI, on SQLite",
    ),
]

OK, SIGN_IN, NO = "ok", "sign-in", "no"
ROLES = ("anonymous", "learner", "manager", "trainer", "hr", "superuser")

# The demo logins who play each role. The learner opens the other learner's things.
LOGINS = {
    "learner": "newhire@example.com",
    "manager": "manager@example.com",
    "trainer": "trainer@example.com",
    "hr": "hr@example.com",
    "superuser": "root@example.com",
}
# Whose things are asked for: an agent with attempts, role-play runs and certificates,
# who reports (through the team leads) to the demo manager.
OWNER = "agent@example.com"


def _expect(anonymous, learner, manager, trainer, hr, superuser):
    return dict(zip(ROLES, (anonymous, learner, manager, trainer, hr, superuser), strict=True))


# What each class of address answers each role.
CLASSES = {
    # Anyone, signed in or not: sign-in, verification, health check, public pages.
    "public": _expect(OK, OK, OK, OK, OK, OK),
    # Anyone signed in: their own training, their account and security settings.
    "signed-in": _expect(SIGN_IN, OK, OK, OK, OK, OK),
    # One learner's attempt, run or certificate: only its owner (checked separately),
    # never another learner, their manager, the admin's roles or a superuser.
    "learner-own": _expect(SIGN_IN, NO, NO, NO, NO, NO),
    # A manager's reports: the manager they report to, nobody else.
    "manager-team": _expect(SIGN_IN, NO, OK, NO, NO, NO),
    # A course's pages: the learners it is assigned to (the learner here), nobody else.
    "assigned": _expect(SIGN_IN, OK, NO, NO, NO, NO),
    # Anyone someone reports to: the demo's manager, and the HR login, who has a report.
    "has-reports": _expect(SIGN_IN, NO, OK, NO, OK, NO),
    # A document: people who may see a course that uses it (the learner's onboarding
    # course here), and staff with document permissions (trainers).
    "course-document": _expect(SIGN_IN, OK, NO, OK, NO, OK),
    # Any admin user: the dashboard, choosers, their own admin account.
    "admin": _expect(SIGN_IN, NO, NO, OK, OK, OK),
    # Content: courses, pages, the question bank, documents and images.
    "trainer": _expect(SIGN_IN, NO, NO, OK, NO, OK),
    # People and training records: reports, employees, assignments, certificates.
    "hr": _expect(SIGN_IN, NO, NO, NO, OK, OK),
    # Read by both: the question bank, assessments and their export (HR reads them), the
    # certificate templates (trainers read them), background jobs, a policy's holders.
    "trainer+hr": _expect(SIGN_IN, NO, NO, OK, OK, OK),
    # Site, users, groups, workflows, redirects, settings: administrators only.
    "superuser": _expect(SIGN_IN, NO, NO, NO, NO, OK),
    # Steps of signing in that only lead back to the sign-in page.
    "to-sign-in": _expect(SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN),
    # Switched off or only reached in a flow that failed: nobody gets a page.
    "nobody": _expect(NO, NO, NO, NO, NO, NO),
    # The admin's scripts and icons: public files, but signed-in people without admin
    # access get the same 403 at every admin address.
    "admin-assets": _expect(OK, NO, NO, OK, OK, OK),
}

# Every address the site answers, by view name (or by pattern where it has no name).
ACCESS: dict[str, str] = {
    # --- Signing in and one's own account (allauth) ---
    "account_login": "public",
    "account_signup": "public",  # answers that sign-up is closed unless a domain may register
    "account_inactive": "public",
    "account_email_verification_sent": "public",
    "account_confirm_email": "public",  # the emailed key is the permission
    "account_reset_password": "public",
    "account_reset_password_done": "public",
    "account_reset_password_from_key": "public",  # the emailed key is the permission
    "account_reset_password_from_key_done": "public",
    "account_confirm_login_code": "signed-in",
    "account_reauthenticate": "signed-in",
    "account_request_reauthentication_code": "signed-in",
    "account_confirm_reauthentication_code": "signed-in",
    "account_email": "signed-in",
    "account_change_password": "signed-in",
    "account_set_password": "signed-in",
    "mfa_index": "signed-in",
    "mfa_authenticate": "signed-in",
    "mfa_reauthenticate": "signed-in",
    "mfa_activate_totp": "signed-in",
    "mfa_generate_recovery_codes": "signed-in",
    "mfa_deactivate_totp": "skip: only the person's own two-factor, 404 until they set it up",
    "mfa_view_recovery_codes": "skip: only the person's own codes, 404 until they set them up",
    "mfa_download_recovery_codes": "skip: only the person's own codes, 404 until set up",
    "socialaccount_connections": "signed-in",
    "socialaccount_login_cancelled": "public",
    "socialaccount_login_error": "nobody",  # 401: a page shown only on a failed sign-in
    "socialaccount_signup": "to-sign-in",  # only in the middle of a single sign-on
    "accounts/social/login/cancelled/": "public",  # allauth's old addresses, redirects
    "accounts/social/login/error/": "public",
    "accounts/social/signup/": "public",
    "accounts/social/connections/": "public",
    "openid_connect_login": "skip: single sign-on is tested against a real provider",
    "openid_connect_callback": "skip: single sign-on is tested against a real provider",
    "account_logout": "skip: signs out",
    # --- The learner's pages (/learn/), policies and verification ---
    "healthz": "public",
    "wagtail_serve": "public",  # the home page; page privacy is tested with the pages
    "wagtailcore_login": "public",
    "wagtailcore_authenticate_with_password": "skip: the site has no password-protected pages",
    "certificates:verify_form": "public",
    "certificates:verify": "public",  # a certificate's code is meant to be shared
    "learning:dashboard": "signed-in",
    "learning:course": "assigned",
    "learning:module": "assigned",
    "learning:module_complete": "assigned",
    "learning:knowledge_check": "assigned",
    "learning:scenario": "assigned",
    "learning:scenario_start": "assigned",
    "learning:assessment": "assigned",
    "learning:assessment_start": "assigned",
    "learning:attempt": "learner-own",
    "learning:attempt_submit": "learner-own",
    "learning:attempt_result": "learner-own",
    "learning:scenario_run": "learner-own",
    "learning:certificate_pdf": "learner-own",
    "learning:team": "has-reports",
    "learning:team_member": "manager-team",
    "learning:team_member_remind": "manager-team",
    "policy_history": "signed-in",
    "policy_version": "signed-in",
    "policy_changes": "signed-in",
    "policy_acknowledge": "skip: records the signed-in person's own acknowledgement, on POST",
    "wagtaildocs_serve": "course-document",
    "wagtaildocs_authenticate_with_password": "skip: the site has no password-protected documents",
    "^media/(?P<path>.*)$": "skip: uploaded files, served by the web server in production",
    # --- The admin: signing in, the dashboard, choosers, assets ---
    "admin_login_redirect": "to-sign-in",
    "wagtailadmin_login": "to-sign-in",
    "wagtailadmin_logout": "skip: signs out",
    "wagtailadmin_password_reset": "nobody",  # allauth's password reset is the only one
    "wagtailadmin_password_reset_done": "nobody",
    "wagtailadmin_password_reset_confirm": "nobody",
    "wagtailadmin_password_reset_complete": "nobody",
    "wagtailadmin_javascript_catalog": "admin-assets",
    "wagtailadmin_sprite": "admin-assets",
    "admin/^.*/$": "skip: the admin's page for an address it does not have",
    "wagtailadmin_home": "admin",
    "admin/test404/": "admin",
    "wagtailadmin_error_test": "skip: Wagtail's page that raises a server error on purpose",
    "wagtailadmin_account": "admin",
    "wagtailadmin_dismissibles": "admin",
    "wagtailadmin_block_preview": "skip: previews a block named in its query; admin access only",
    "wagtailadmin_editing_sessions:ping": "skip: an editor's live session, POSTed by script",
    "wagtailadmin_editing_sessions:release": "skip: an editor's live session, POSTed by script",
    "wagtailadmin_tag_autocomplete": "admin",
    "wagtailadmin_tag_model_autocomplete": "admin",
    "wagtailadmin_api:pages:listing": "admin",  # the page chooser's data: titles only
    "wagtailadmin_api:pages:detail": "trainer",  # pages the person may explore
    "wagtailadmin_api:pages:find": "trainer",
    "wagtailadmin_api:pages:action": "skip: page actions run by script; each checks permissions",
    "wagtailadmin_api:documents:listing": "admin",
    "wagtailadmin_api:documents:detail": "admin",
    "wagtailadmin_api:documents:find": "admin",
    "wagtailadmin_api:images:listing": "admin",
    "wagtailadmin_api:images:detail": "admin",
    "wagtailadmin_api:images:find": "admin",
    "wagtailadmin_choose_page": "admin",
    "wagtailadmin_choose_page_child": "admin",
    "wagtailadmin_choose_page_search": "admin",
    "wagtailadmin_choose_page_chosen_multiple": "admin",
    "wagtailadmin_choose_page_external_link": "admin",
    "wagtailadmin_choose_page_email_link": "admin",
    "wagtailadmin_choose_page_phone_link": "admin",
    "wagtailadmin_choose_page_anchor_link": "admin",
    "wagtaildocs_chooser:choose": "admin",
    "wagtaildocs_chooser:choose_results": "admin",
    "wagtaildocs_chooser:chosen": "trainer",
    "wagtaildocs_chooser:chosen_multiple": "admin",
    "wagtaildocs_chooser:create": "trainer",
    "wagtailimages_chooser:choose": "admin",
    "wagtailimages_chooser:choose_results": "admin",
    "wagtailimages_chooser:chosen": "trainer",
    "wagtailimages_chooser:chosen_multiple": "admin",
    "wagtailimages_chooser:create": "trainer",
    "wagtailimages_chooser:select_format": "trainer",
    "wagtailembeds:chooser": "admin",
    "wagtailembeds:chooser_upload": "admin",
    "wagtailadmin_workflows:task_chooser": "admin",
    "wagtailadmin_workflows:task_chooser_results": "admin",
    "wagtailadmin_workflows:task_chooser_create": "admin",
    "wagtailadmin_workflows:task_chosen": "admin",
    # --- Pages: trainers write courses and policies; HR reads the tree to approve ---
    "wagtailadmin_explore_root": "admin",
    "wagtailadmin_explore": "admin",
    "wagtailadmin_explore_results": "admin",
    "wagtailadmin_pages:search": "admin",
    "wagtailadmin_pages:search_results": "admin",
    "wagtailadmin_pages:type_use": "admin",
    "wagtailadmin_pages:type_use_results": "admin",
    "wagtailadmin_pages:choose_parent": "admin",
    "wagtailadmin_pages:revisions_index": "admin",  # a redirect to the history, which checks
    "wagtailadmin_pages:confirm_workflow_cancellation": "admin",  # nothing without a workflow
    "wagtailadmin_pages:add": "trainer",
    "wagtailadmin_pages:preview_on_add": "trainer",
    "wagtailadmin_pages:add_subpage": "trainer",
    "wagtailadmin_pages:edit": "trainer",
    "wagtailadmin_pages:preview_on_edit": "trainer",
    "wagtailadmin_pages:view_draft": "trainer",
    "wagtailadmin_pages:usage": "trainer",
    "wagtailadmin_pages:unpublish": "trainer",
    "wagtailadmin_pages:copy": "trainer",
    "wagtailadmin_pages:move": "trainer",
    "wagtailadmin_pages:move_confirm": "trainer",
    "wagtailadmin_pages:set_page_position": "trainer",
    "wagtailadmin_pages:set_privacy": "trainer",
    "wagtailadmin_pages:lock": "trainer",
    "wagtailadmin_pages:unlock": "trainer",
    "wagtailadmin_pages:history": "trainer",
    "wagtailadmin_pages:history_results": "trainer",
    "wagtailadmin_pages:revisions_view": "trainer",
    "wagtailadmin_pages:revisions_revert": "trainer",
    "wagtailadmin_pages:revisions_unschedule": "trainer",
    "wagtailadmin_pages:revisions_compare": "trainer",
    "wagtailadmin_pages:workflow_history": "trainer",
    "wagtailadmin_pages:delete": "superuser",  # trainers unpublish, they do not delete
    "wagtail_bulk_action": "admin",  # tells each person which chosen pages they may not touch
    "wagtailadmin_pages:convert_alias": "skip: only for alias pages; the site makes none",
    "wagtailadmin_pages:workflow_action": "skip: needs a page in moderation; the demo has none",
    "wagtailadmin_pages:collect_workflow_action_data": "skip: needs a page in moderation",
    "wagtailadmin_pages:workflow_preview": "skip: needs a page in moderation",
    "wagtailadmin_pages:workflow_history_detail": "skip: needs a page in moderation",
    # --- Documents and images: trainers ---
    "wagtaildocs:index": "trainer",
    "wagtaildocs:index_results": "trainer",
    "wagtaildocs:add": "trainer",
    "wagtaildocs:add_multiple": "trainer",
    "wagtaildocs:edit": "trainer",
    "wagtaildocs:edit_multiple": "trainer",
    "wagtaildocs:delete": "trainer",
    "wagtaildocs:document_usage": "trainer",
    "wagtaildocs:delete_multiple": "skip: deletes on POST",
    "wagtaildocs:create_multiple_from_uploaded_document": "skip: needs an upload in progress",
    "wagtaildocs:delete_upload_multiple": "skip: deletes an upload in progress on POST",
    "wagtailimages:index": "trainer",
    "wagtailimages:index_results": "trainer",
    "wagtailimages:add": "trainer",
    "wagtailimages:add_multiple": "trainer",
    "wagtailimages:edit": "trainer",
    "wagtailimages:edit_multiple": "trainer",
    "wagtailimages:delete": "trainer",
    "wagtailimages:image_usage": "trainer",
    "wagtailimages:preview": "trainer",
    "wagtailimages:url_generator": "skip: needs Wagtail's image serve view, not installed",
    "wagtailimages:url_generator_output": "skip: needs Wagtail's image serve view",
    "wagtailimages:delete_multiple": "skip: deletes on POST",
    "wagtailimages:create_multiple_from_uploaded_image": "skip: needs an upload in progress",
    "wagtailimages:delete_upload_multiple": "skip: deletes an upload in progress on POST",
    # --- Question bank and assessments: trainers write, HR reads (view permissions) ---
    "assessments_question_import": "trainer",
    "assessments_question_export": "trainer+hr",
    "assessments_essay_queue": "trainer",
    "assessments_essay_grade": "trainer",
    "assessments_item_analysis": "trainer",
    "assessments_item_analysis_results": "trainer",
    "assessments_section_analysis": "trainer",
    "assessments_section_analysis_results": "trainer",
    "courses_to_update": "trainer",
    "courses_update_list": "trainer",
    "courses_update_item_confirm": "trainer",
    "wagtailsnippets_assessments_question:revisions_revert": "trainer",
    "wagtailsnippets_assessments_question:revisions_compare": "trainer",
    "wagtailsnippets:index": "skip: Wagtail's snippet index; each snippet type checks below",
    # --- Reports and records: HR (background jobs: HR and trainers) ---
    "learning_compliance": "hr",
    "learning_compliance_results": "hr",
    "learning_employee_record": "hr",
    "learning_employee_evidence_pdf": "hr",
    "learning_employee_evidence_json": "hr",
    "learning_staff_import": "hr",
    "learning_staff_import_template": "hr",
    "learning_overdue_report": "hr",
    "learning_overdue_report_results": "hr",
    "learning_expiring_certificates_report": "hr",
    "learning_expiring_certificates_report_results": "hr",
    "learning_recertification_report": "hr",
    "learning_recertification_report_results": "hr",
    "learning_recertification_people": "hr",
    "learning_assessment_results_report": "hr",
    "learning_assessment_results_report_results": "hr",
    "learning_certificates:pdf": "hr",
    "learning_certificates:zip": "hr",
    "learning_certificates:revoke": "hr",
    "learning_certificates:reissue": "hr",
    "learning_assignments:withdraw": "hr",
    "learning_policy_holders": "trainer+hr",  # HR, and whoever may publish the policy
    "learning_jobs": "trainer+hr",
    "learning_job": "trainer+hr",
    # --- Wagtail's own reports: any admin user, each lists only what they may see ---
    "wagtailadmin_reports:locked_pages": "trainer",
    "wagtailadmin_reports:locked_pages_results": "trainer",
    "wagtailadmin_reports:workflow": "admin",
    "wagtailadmin_reports:workflow_results": "admin",
    "wagtailadmin_reports:workflow_tasks": "admin",
    "wagtailadmin_reports:workflow_tasks_results": "admin",
    "wagtailadmin_reports:site_history": "admin",
    "wagtailadmin_reports:site_history_results": "admin",
    "wagtailadmin_reports:aging_pages": "admin",
    "wagtailadmin_reports:aging_pages_results": "admin",
    "wagtailadmin_reports:page_types_usage": "admin",
    "wagtailadmin_reports:page_types_usage_results": "admin",
    # --- Administrators only ---
    "wagtailadmin_collections:index": "superuser",
    "wagtailadmin_collections:add": "superuser",
    "wagtailadmin_collections:edit": "superuser",
    "wagtailadmin_collections:delete": "superuser",
    "wagtailadmin_collections:set_privacy": "superuser",
    "wagtailadmin_workflows:index": "superuser",
    "wagtailadmin_workflows:index_results": "superuser",
    "wagtailadmin_workflows:add": "superuser",
    "wagtailadmin_workflows:enable": "superuser",
    "wagtailadmin_workflows:disable": "superuser",
    "wagtailadmin_workflows:edit": "superuser",
    "wagtailadmin_workflows:usage": "superuser",
    "wagtailadmin_workflows:usage_results": "superuser",
    "wagtailadmin_workflows:remove": "superuser",
    "wagtailadmin_workflows:add_task": "superuser",
    "wagtailadmin_workflows:select_task_type": "superuser",
    "wagtailadmin_workflows:task_index": "superuser",
    "wagtailadmin_workflows:task_index_results": "superuser",
    "wagtailadmin_workflows:edit_task": "superuser",
    "wagtailadmin_workflows:disable_task": "superuser",
    "wagtailadmin_workflows:enable_task": "superuser",
    "wagtailredirects:index": "superuser",
    "wagtailredirects:index_results": "superuser",
    "wagtailredirects:add": "superuser",
    "wagtailredirects:edit": "superuser",
    "wagtailredirects:delete": "superuser",
    "wagtailredirects:start_import": "superuser",
    "wagtailredirects:process_import": (
        "skip: Wagtail answers a server error when the second step of a redirect import is "
        "opened without the first (superusers only)"
    ),
    "wagtailsettings:edit": "superuser",  # the certificate branding
    "wagtailsettings:preview_on_edit": "skip: previews the settings form POSTed to it",
    "wagtailforms:index": "admin",  # lists form pages; the site has none
    "wagtailforms:index_results": "admin",
    "wagtailforms:list_submissions": "skip: the site has no form pages",
    "wagtailforms:list_submissions_results": "skip: the site has no form pages",
    "wagtailforms:delete_submissions": "skip: the site has no form pages",
}

# Addresses the site has only when DEBUG is on.
DEBUG_ONLY = {"^media/(?P<path>.*)$"}

# Viewsets: the standard views of a model's admin (listing, add, edit, delete, history,
# usage, copy, inspect) have the model's class; any other view is named in ACCESS.
STANDARD_VIEWS = {
    "index",
    "index_results",
    "list",
    "list_results",
    "add",
    "edit",
    "delete",
    "copy",
    "history",
    "history_results",
    "usage",
    "inspect",
}
VIEWSETS = {
    "employees:": "hr",
    "departments:": "hr",
    "job_roles:": "hr",
    "locations:": "hr",
    "learning_assignments:": "hr",
    "learning_assignment_rules:": "hr",
    "learning_certificates:": "hr",
    "wagtailsnippets_certificates_certificatetemplate:": "hr",
    "wagtailsnippets_assessments_": "trainer",
    "wagtailsites:": "superuser",
    "wagtailusers_users:": "superuser",
    "wagtailusers_groups:": "superuser",
}
# ...except where a role only reads: HR reads the question bank and assessments, and
# trainers the certificate templates (their view permissions), through lists and choosers.
READ_ONLY = {
    "wagtailsnippets_assessments_": ("list", "list_results"),
    "wagtailsnippets_certificates_certificatetemplate:": ("list", "list_results"),
    "wagtailsnippetchoosers_": ("choose", "choose_results", "chosen", "chosen_multiple"),
}


def class_of(key: str) -> str | None:
    if key in ACCESS:
        return ACCESS[key]
    for prefix, actions in READ_ONLY.items():
        if key.startswith(prefix) and key.rsplit(":", 1)[-1] in actions:
            return "trainer+hr"
    if key.startswith("wagtailsnippetchoosers_") and key.endswith(":create"):
        return "hr" if "certificatetemplate" in key else "trainer"
    if key.rsplit(":", 1)[-1] not in STANDARD_VIEWS:
        return None
    return next((kind for prefix, kind in VIEWSETS.items() if key.startswith(prefix)), None)


# --- the URL patterns -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the view name, or the pattern itself where it has no name
    pattern: str
    params: tuple[str, ...]  # named arguments
    callback: object


def routes() -> list[Route]:
    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                regex = entry.pattern.regex
                found.append(
                    Route(
                        key=name or pattern,
                        pattern=pattern,
                        params=tuple(regex.groupindex),
                        callback=entry.callback,
                    )
                )

    walk(get_resolver(), "", None)
    return found


def model_of(callback):
    """The model a Wagtail viewset's view works on, if it has one."""
    initkwargs = getattr(callback, "view_initkwargs", {}) or {}
    model = initkwargs.get("model") or getattr(getattr(callback, "view_class", None), "model", None)
    return model if isinstance(model, type) else None


# --- the seeded world: real ids of other people's things ---------------------------------


class World:
    """The demo, and the values each argument name is filled with."""

    def __init__(self):
        from allauth.account.forms import default_token_generator as allauth_tokens
        from allauth.account.utils import user_pk_to_url_str
        from django_tasks_db.models import DBTaskResult
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Page, Revision

        from assessments.choices import AttemptStatus
        from assessments.models import Attempt, Question
        from certificates.models import Certificate
        from cms.models.policies import PolicyPage
        from cms.models.site import SiteBranding
        from courses.models import CoursePage, CourseUpdateItem, ModulePage, ScenarioPage
        from learning.models import Assignment, ScenarioRun
        from learning.team_selectors import member_token

        users = get_user_model().objects
        self.owner = users.get(email=OWNER)
        self.employee = self.owner.employee
        self.certificate = Certificate.objects.filter(user=self.owner).order_by("pk").first()
        run = ScenarioRun.objects.filter(user=self.owner).order_by("pk").first()
        finals = CoursePage.objects.values("assessment")
        attempt = Attempt.objects.filter(user=self.owner, assessment__in=finals).order_by("pk")[0]
        course = CoursePage.objects.filter(assessment=attempt.assessment).first()
        module = ModulePage.objects.child_of(course).first()
        scenario = ScenarioPage.objects.filter(pk=run.scenario_id).first()
        policy = PolicyPage.objects.live().order_by("pk").first()
        labels = [version.label for version in policy.versions.order_by("major", "minor")]
        question = Question.objects.order_by("pk").first()
        revisions = Revision.page_revisions.filter(object_id=str(course.pk)).order_by("pk")
        self.page = course
        self.values = {
            # The learner pages: the owner's course, attempt, role-play run and records.
            "course_slug": course.slug,
            "module_slug": module.slug,
            "scenario_slug": scenario.slug,
            "which": "final",
            "attempt_id": attempt.public_id,
            "run_id": run.public_id,
            "block_id": next(
                (block.id for block in module.body if "check" in block.block_type),
                "no-check",
            ),
            "code": self.certificate.code,
            "member": member_token(self.employee.pk),
            "assignment_id": Assignment.objects.filter(employee=self.employee)
            .order_by("pk")
            .first()
            .pk,
            # Policies.
            "slug": policy.slug,
            "label": labels[-1],
            "from_label": labels[0],
            "to_label": labels[-1],
            # The admin.
            "course_id": course.pk,
            "item_id": CourseUpdateItem.objects.order_by("pk").first().pk,
            "job_id": DBTaskResult.objects.order_by("enqueued_at").first().pk,
            "page_id": course.pk,
            "parent_page_id": course.get_parent().pk,
            "page_to_move_id": course.pk,
            "destination_id": course.get_parent().pk,
            "revision_id": revisions.last().pk,
            "revision_id_a": "earliest",
            "revision_id_b": "latest",
            "content_type_app_name": "courses",
            "content_type_model_name": "coursepage",
            "app_label": "courses",
            "model_name": "coursepage",
            "filter_spec": "original",
            # Tokens mailed to the owner: password reset and email confirmation.
            "uidb64": urlsafe_base64_encode(force_bytes(self.owner.pk)),
            "token": default_token_generator.make_token(self.owner),
            "uidb36": user_pk_to_url_str(self.owner),
            "key": allauth_tokens.make_token(self.owner),
            "branding": SiteBranding.objects.order_by("pk").first().pk,
            "document": get_document_model().objects.order_by("pk").first().pk,
            "image": get_image_model().objects.order_by("pk").first().pk,
            "question": question.pk,
            "question_revision": question.revisions.order_by("pk").last().pk,
        }
        # A colleague's attempt with essays to grade.
        waiting = Attempt.objects.filter(status=AttemptStatus.AWAITING_GRADING).order_by("pk")
        self.values["public_id"] = waiting[0].public_id
        self.page_model = Page

    def document_url(self) -> str:
        from wagtail.documents import get_document_model

        document = get_document_model().objects.order_by("pk").first()
        return document.url

    def kwargs_for(self, route: Route) -> dict:
        """Every named argument of ``route``, with a real value; ids of a viewset's
        objects are those of the owner where the object belongs to someone."""
        model = model_of(route.callback)
        kwargs = {}
        for name in route.params:
            owner_of_pk = PK_MODELS.get(route.key) or next(
                (
                    m
                    for prefix, m in PK_MODELS.items()
                    if prefix[-1] in ":_" and route.key.startswith(prefix)
                ),
                None,
            )
            if name == "pk" and owner_of_pk is not None:
                kwargs[name] = self.object_of(self.model(owner_of_pk)).pk
            elif model is not None and name in ("pk", "document_id", "image_id", "doc_id"):
                kwargs[name] = self.object_of(model).pk
            elif name in ID_MODELS:
                kwargs[name] = self.object_of(self.model(ID_MODELS[name])).pk
            elif name in self.values:
                kwargs[name] = self.values[name]
            else:
                kwargs[name] = self.object_for(route, name)
        return kwargs

    @staticmethod
    def model(label: str):
        from django.apps import apps

        return apps.get_model(label)

    def object_of(self, model):
        from certificates.models import Certificate
        from learning.models import Assignment, Employee

        if model is get_user_model():
            return self.owner
        if model is Employee:
            return self.employee
        if model is Certificate:
            return self.certificate
        if model is Assignment:
            return Assignment.objects.filter(employee=self.employee).order_by("pk").first()
        if model is self.page_model:
            return self.page
        if model is self.model("cms.PolicyVersion"):  # one that people are recertifying on
            return Assignment.objects.exclude(policy_version=None).first().policy_version
        if model is self.model("wagtailcore.Collection"):  # not the root
            return model.objects.filter(depth__gt=1).order_by("pk").first()
        found = model._default_manager.order_by("pk").first()
        if found is None:
            pytest.fail(f"the demo has no {model.__name__} to fill the matrix with")
        return found

    def object_for(self, route: Route, name: str):
        pytest.fail(f"{route.key}: no value for the argument {name!r}; add one to World")


# The model whose id a route's ``pk`` is, where the view does not name it itself.
PK_MODELS = {
    "wagtailadmin_api:pages:": "wagtailcore.Page",
    "wagtailadmin_api:documents:": "wagtaildocs.Document",
    "wagtailadmin_api:images:": "wagtailimages.Image",
    "wagtailadmin_pages:revisions_compare": "wagtailcore.Page",
    "wagtailadmin_collections:": "wagtailcore.Collection",
    "wagtailadmin_workflows:enable": "wagtailcore.Workflow",
    "wagtailadmin_workflows:edit_task": "wagtailcore.Task",
    "wagtailadmin_workflows:enable_task": "wagtailcore.Task",
    "wagtailadmin_workflows:usage": "wagtailcore.Workflow",
    "wagtailadmin_workflows:usage_results": "wagtailcore.Workflow",
    "learning_employee_": "learning.Employee",
    "learning_recertification_people": "cms.PolicyVersion",
    "learning_policy_holders": "cms.PolicyPage",
    "learning_certificates:": "certificates.Certificate",
    "wagtaildocs_chooser:": "wagtaildocs.Document",
    "wagtailsettings:": "cms.SiteBranding",
}
# The model other id arguments name.
ID_MODELS = {
    "document_id": "wagtaildocs.Document",
    "doc_id": "wagtaildocs.Document",
    "image_id": "wagtailimages.Image",
    "redirect_id": "wagtailredirects.Redirect",
    "collection_id": "wagtailcore.Collection",
    "task_id": "wagtailcore.Task",
    "page_pk": "wagtailcore.Page",
    "workflow_pk": "wagtailcore.Workflow",
}


def url_of(route: Route, world: World) -> str:
    if route.key in EXAMPLES:
        return EXAMPLES[route.key](world)
    if route.key == route.pattern:  # no name to reverse: a plain path
        return "/" + route.pattern
    return reverse(route.key, kwargs=world.kwargs_for(route))


# Patterns with unnamed arguments, or none of their own to reverse: one real address each.
EXAMPLES = {
    "wagtail_serve": lambda world: "/",
    "wagtaildocs_serve": lambda world: world.document_url(),
    "admin/^.*/$": lambda world: "/admin/no-such-page/",
    "wagtailsettings:edit": lambda world: "/admin/settings/cms/sitebranding/",
    "wagtailsettings:preview_on_edit": lambda world: (
        f"/admin/settings/cms/sitebranding/{world.values['branding']}/preview/"
    ),
    "wagtail_bulk_action": lambda world: (
        f"/admin/bulk/wagtailcore/page/unpublish/?id={world.page.pk}"
    ),
    "wagtailadmin_tag_model_autocomplete": lambda world: "/admin/tag-autocomplete/taggit/tag/",
    "wagtailadmin_api:pages:find": lambda world: f"/admin/api/main/pages/find/?id={world.page.pk}",
    "wagtailadmin_api:documents:find": lambda world: (
        f"/admin/api/main/documents/find/?id={world.values['document']}"
    ),
    "wagtailadmin_api:images:find": lambda world: (
        f"/admin/api/main/images/find/?id={world.values['image']}"
    ),
    "wagtailadmin_workflows:add_task": lambda world: (
        "/admin/workflows/tasks/add/wagtailcore/groupapprovaltask/"
    ),
    "wagtailsnippets_assessments_question:revisions_revert": lambda world: reverse(
        "wagtailsnippets_assessments_question:revisions_revert",
        args=[world.values["question"], world.values["question_revision"]],
    ),
    "openid_connect_callback": lambda world: "/accounts/oidc/sso/login/callback/",
}


# --- the answers ------------------------------------------------------------------------

SIGN_IN_PATHS = ("/accounts/login/", "/admin/login/", "/_util/login/")


def answer(response, path: str, method: str = "GET") -> str:
    """What a person would make of the response: OK, SIGN_IN or NO (or the status code
    of a server error). An empty POST that is let in is told its input is wrong (400)."""
    status = response.status_code
    if method == "POST" and status == 400:
        return OK
    if status >= 500:
        return f"error {status}"
    if status in (401, 403, 404):
        return NO
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target.startswith(SIGN_IN_PATHS):
            return SIGN_IN
        admin = reverse("wagtailadmin_home")
        if target == admin and path.startswith(admin) and path != target:
            return NO  # the admin's "Sorry, you do not have permission" redirect
        return OK
    if status >= 400:
        return f"status {status}"
    return OK


def open_as(client: Client, url: str) -> tuple[str, str]:
    response = client.get(url)
    method = "GET"
    if response.status_code == 405:
        response = client.post(url)
        method = "POST"
    return method, answer(response, urlsplit(url).path, method)


# --- the tests --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The real demo and a superuser, seeded once for this module and rolled back after
    it, with the address of every classified pattern."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        add_what_the_demo_lacks()
        get_user_model().objects.create_superuser(
            email=LOGINS["superuser"], password="a-superuser-password-2026"
        )
        world = World()
        world.urls = {}
        for route in routes():
            kind = class_of(route.key)
            if kind in CLASSES and route.key not in world.urls:
                world.urls[route.key] = url_of(route, world)
        yield world
        transaction.set_rollback(True)


def add_what_the_demo_lacks():
    """One of each thing the admin manages that the demo does not make."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.models import Collection, Site

    from assessments.choices import AttemptStatus
    from assessments.models import Attempt
    from certificates.models import CertificateTemplate
    from cms.models.policies import PolicyVersion
    from cms.models.site import SiteBranding
    from courses.choices import UpdateItemKind
    from courses.models import CoursePage, CourseUpdateItem, ModulePage

    CertificateTemplate.objects.create(name="Matrix template")
    DBTaskResult.objects.create(
        task_path="learning.tasks.complete_waiting_recertifications",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    # A colleague's attempt waiting for its essays to be graded.
    Attempt.objects.filter(
        pk=Attempt.objects.exclude(user__email=OWNER).order_by("pk").values("pk")[:1]
    ).update(status=AttemptStatus.AWAITING_GRADING)
    Collection.get_first_root_node().add_child(name="Matrix collection")
    course = CoursePage.objects.order_by("pk").first()
    versions = PolicyVersion.objects.order_by("pk")
    CourseUpdateItem.objects.create(
        course=course,
        pinned_version=versions.first(),
        version=versions.last(),
        kind=UpdateItemKind.MODULE,
        page=ModulePage.objects.child_of(course).first(),
        title="A module quoting a changed section",
        created_at=timezone.now(),
    )
    Redirect.objects.create(old_path="/an-old-address", redirect_link="/")
    SiteBranding.for_site(Site.objects.get(is_default_site=True))


def client_for(role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(email=LOGINS[role]))
    return client


def test_every_address_the_site_answers_has_a_class():
    unknown = sorted(
        f"{route.key}  [{route.pattern}]" for route in routes() if class_of(route.key) is None
    )
    assert not unknown, "Give these addresses a class in ACCESS (who may open them):\n" + "\n".join(
        unknown
    )
    gone = sorted(set(ACCESS) - {route.key for route in routes()} - DEBUG_ONLY)
    assert not gone, "ACCESS names addresses the site no longer has:\n" + "\n".join(gone)
    wrong = sorted(
        f"{key}: {kind}"
        for key, kind in ACCESS.items()
        if kind not in CLASSES and not kind.startswith("skip: ")
    )
    assert not wrong, "Unknown classes:\n" + "\n".join(wrong)


def test_each_role_gets_what_the_class_of_each_address_allows(world):
    """One test for all roles, so the demo is seeded once even when tests run side by
    side. The learner-own addresses are also opened by their owner, who must get in: the
    refusals above are for the right reason, not a wrong id."""
    failures = []
    for role in ROLES:
        client = client_for(role)
        for key, url in world.urls.items():
            kind = class_of(key)
            method, got = open_as(client, url)
            if got != CLASSES[kind][role]:
                failures.append(
                    f"{role}: {key} ({kind}): {method} {url} answered {got}, "
                    f"not {CLASSES[kind][role]}"
                )
    owner = Client()
    owner.force_login(world.owner)
    for key, url in world.urls.items():
        if class_of(key) == "learner-own":
            method, got = open_as(owner, url)
            if got != OK:
                failures.append(f"owner: {key}: {method} {url} answered {got}, not {OK}")
    assert not failures, "\n".join(failures)
