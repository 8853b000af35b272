"""The policy editor's impact preview as learning sees it (the courses to update and the
certificates that would fall due, given to cms's ``describe_policy_change`` hook), and the
admin page naming the people whose certificates would fall due."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies.pages import PagePermissionPolicy

from cms.admin_access import ForbiddenOnDenyMixin, forbidden_response
from cms.models import PolicyPage
from courses.update_list import MODULE, QUESTION, ROLE_PLAY
from learning.policy_impact import (
    NO_DEPARTMENT,
    courses_teaching,
    holder_certificates,
    holders_by_department,
    policy_change_impact,
    policy_holders_falling_due,
)

# HR sees everyone's names; so does whoever may publish the policy, who is about to
# decide what these people will be asked to do.
HR_PERMISSION = "learning.view_compliance"
HOLDERS_URL_NAME = "learning_policy_holders"
QUESTION_EDIT_PERMISSION = "assessments.change_question"


def may_see_holders(user, policy: PolicyPage) -> bool:
    if user.has_perm(HR_PERMISSION):
        return True
    return policy.permissions_for_user(user).can_publish()


def describe_policy_change(*, request, policy, current, draft, comparison) -> str:
    """The preview's part about courses and people, as HTML."""
    impact = policy_change_impact(
        policy_id=policy.pk, current=current, draft=draft, today=timezone.localdate()
    )
    names_url = None
    if impact.people and may_see_holders(request.user, policy):
        names_url = reverse(HOLDERS_URL_NAME, args=[policy.pk])
    # Whoever edits a policy may not edit its courses or questions (HR reviews policies):
    # the preview links only to the editors they may open.
    editable_courses = set(
        PagePermissionPolicy()
        .instances_user_has_permission_for(request.user, "change")
        .filter(pk__in=[course.course_id for course in impact.courses])
        .values_list("pk", flat=True)
    )
    return render_to_string(
        "learning/admin/policy_impact.html",
        {
            "impact": impact,
            "policy": policy,
            "current": current,
            "draft": draft,
            "names_url": names_url,
            "editable_courses": editable_courses,
            "edits_questions": request.user.has_perm(QUESTION_EDIT_PERMISSION),
            "modules": impact.count_of(MODULE),
            "role_plays": impact.count_of(ROLE_PLAY),
            "questions": impact.count_of(QUESTION),
        },
        request=request,
    )


class PolicyHoldersView(ForbiddenOnDenyMixin, WagtailAdminTemplateMixin, TemplateView):
    """The active people holding a valid certificate on an older major version of a
    policy, from a course teaching it: whom its next material version would ask to
    recertify. Filtered by department, fifty to a page."""

    template_name = "learning/admin/policy_holders.html"
    header_icon = "group"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not may_see_holders(request.user, self.policy):
            return forbidden_response(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def policy(self) -> PolicyPage:
        return get_object_or_404(PolicyPage, pk=self.kwargs["pk"])

    @cached_property
    def current(self):
        current = self.policy.current_version
        if current is None:
            raise Http404("This policy has no published version yet.")
        return current

    @cached_property
    def department(self) -> str:
        chosen = self.request.GET.get("department") or ""
        if chosen and chosen != NO_DEPARTMENT and not (chosen.isascii() and chosen.isdigit()):
            raise Http404("No such department.")
        return chosen

    def get_page_title(self):
        return f"Certificates that would fall due: {self.policy.title}"

    def get_page_subtitle(self):
        return f"After {self.current.label}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.policy.pk]),
                "label": str(self.policy.title),
            },
            {"url": "", "label": "Certificates that would fall due"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        course_ids = [course.pk for course in courses_teaching(policy_id=self.policy.pk)]
        scope = {
            "policy_id": self.policy.pk,
            "before_major": self.current.major + 1,
            "course_ids": course_ids,
            "today": today,
        }
        everyone = policy_holders_falling_due(**scope)
        departments = holders_by_department(everyone)
        chosen = next((d for d in departments if d.filter_value == self.department), None)
        if self.department and chosen is None:
            raise Http404("Nobody in that department holds such a certificate.")
        employees = everyone
        if chosen is not None:
            employees = employees.filter(department_id=chosen.department_id)
        employees = employees.select_related("user", "department").order_by(
            "user__last_name", "user__first_name", "employee_number"
        )
        page = Paginator(employees, self.paginate_by).get_page(self.request.GET.get("p"))
        people = list(page.object_list)
        certificates = holder_certificates(**scope, user_ids=[e.user_id for e in people])
        base = reverse(HOLDERS_URL_NAME, args=[self.policy.pk])
        here = {"department": self.department} if self.department else {}

        def page_url(number: int) -> str:
            return f"{base}?{urlencode({**here, 'p': number})}"

        with_records = self.request.user.has_perm(HR_PERMISSION)
        context.update(
            policy=self.policy,
            current=self.current,
            departments=departments,
            chosen=chosen,
            total=sum(d.people for d in departments),
            page_obj=page,
            prev_url=page_url(page.previous_page_number()) if page.has_previous() else "",
            next_url=page_url(page.next_page_number()) if page.has_next() else "",
            rows=[
                {
                    "name": employee.full_name,
                    "employee_number": employee.employee_number,
                    "department": employee.department.name if employee.department else "",
                    "certificates": certificates.get(employee.user_id, []),
                    "record_url": reverse("learning_employee_record", args=[employee.pk])
                    if with_records
                    else "",
                }
                for employee in people
            ],
            base_url=base,
        )
        return context


def policy_impact_urls():
    return [
        path(
            "policies/<int:pk>/certificate-holders/",
            PolicyHoldersView.as_view(),
            name=HOLDERS_URL_NAME,
        )
    ]
