"""The demo organisation: idempotent, its five logins work, refused in production."""

import datetime
import json

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.models import Page

from assessments.answers import best_answer, fraction
from assessments.blocks import QuestionAnswerBlock
from assessments.choices import AssessmentMode
from assessments.models import Assessment, Attempt, AttemptItem, Competency, Question
from assessments.services import served_question
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from cms.models import PolicyAcknowledgement, PolicyPage, PolicyVersion
from courses.blocks import ModuleBodyBlock
from courses.models import CoursePage, CoursePolicyPin, ModulePage, ScenarioPage
from learning.compliance import compliance_history, matrix_columns
from learning.demo import DEMO_PASSWORD
from learning.models import Assignment, AssignmentRule, Department, Employee

pytestmark = pytest.mark.django_db
User = get_user_model()
LOGINS = {
    "hr@example.com": "HR",
    "trainer@example.com": "Trainers",
    "manager@example.com": "Managers",
    "newhire@example.com": "Learners",
    "agent@example.com": "Learners",
}


def counts():
    return (
        User.objects.count(),
        Employee.objects.count(),
        Department.objects.count(),
        CoursePage.objects.count(),
        ModulePage.objects.count(),
        Assignment.objects.count(),
        AssignmentRule.objects.count(),
        Question.objects.count(),
        Assessment.objects.count(),
        Attempt.objects.count(),
    )


def test_running_twice_changes_nothing_the_second_time():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first[1] >= 20


@pytest.mark.parametrize(("email", "group"), LOGINS.items())
def test_demo_logins_sign_in_with_the_demo_password(email, group):
    call_command("seed_demo")
    user = authenticate(email=email, password=DEMO_PASSWORD)
    assert user is not None
    assert user.groups.filter(name=group).exists()


def test_people_without_a_demo_login_cannot_sign_in():
    call_command("seed_demo")
    others = User.objects.exclude(email__in=LOGINS)
    assert others.exists()
    assert not any(user.has_usable_password() for user in others)


def test_demo_has_a_manager_hierarchy():
    call_command("seed_demo")
    manager = Employee.objects.get(user__email="manager@example.com")
    team_leads = manager.reports.all()
    assert team_leads.exists()
    agent = Employee.objects.get(user__email="agent@example.com")
    assert agent.manager.manager == manager


def test_refused_under_production_settings(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo")
    assert Employee.objects.count() == 0


def test_demo_policy_library_has_history_to_show():
    call_command("seed_demo")
    call_command("seed_demo")
    assert PolicyPage.objects.live().count() == 4
    refunds = PolicyPage.objects.get(slug="refunds-and-returns")
    assert [v.label for v in refunds.versions.newest_first()] == ["2.0", "1.1", "1.0"]
    agent = User.objects.get(email="agent@example.com")
    status = PolicyAcknowledgement.objects.status_for(user=agent, policy=refunds)
    assert status.required and status.latest.version.label == "1.1"


def test_complaints_handling_2_0_waits_as_a_draft_for_the_trainer_to_publish():
    call_command("seed_demo")
    call_command("seed_demo")
    complaints = PolicyPage.objects.get(slug="complaints-handling")
    assert [v.label for v in complaints.versions.all()] == ["1.0"]
    assert complaints.has_unpublished_changes
    assert complaints.revisions.filter(content__change_kind="material").count() == 1
    draft = complaints.get_latest_revision_as_object()
    assert draft.change_kind == "material" and draft.recertification_days == 30
    sections = {block.value["key"]: block.value for block in draft.sections}
    assert "eight working days" in sections["respond"]["body"].source
    assert "keep-the-customer-updated" in sections
    assert complaints.get_latest_revision().user.email == "trainer@example.com"
    # Someone who can sign in holds a certificate the draft would put up for renewal.
    certificate = Certificate.objects.get(
        user__email="manager@example.com", course__slug="complaint-handling-and-de-escalation"
    )
    assert certificate.status == CertificateStatus.VALID
    assert {str(entry) for entry in certificate.versions.all()} >= {"Complaints Handling 1.0"}


def test_demo_policies_go_through_compliance_review():
    call_command("seed_demo")
    index = Page.objects.get(slug="policies")
    workflow = index.get_workflow()
    assert workflow.name == "Compliance review"
    assert workflow.tasks.first().specific.groups.filter(name="HR").exists()


def statuses(email):
    today = timezone.localdate()
    return {
        a.course.title: a.status_on(today)
        for a in Assignment.objects.filter(employee__user__email=email).select_related("course")
    }


def test_the_new_hire_has_onboarding_due_and_nothing_done():
    call_command("seed_demo")
    mine = statuses("newhire@example.com")
    assert mine["Customer Service Essentials"] == "not_started"
    onboarding = Assignment.objects.get(
        employee__user__email="newhire@example.com", course__slug="customer-service-essentials"
    )
    assert onboarding.reason == "onboarding"
    assert onboarding.due_date == onboarding.employee.hire_date + datetime.timedelta(days=14)
    assert set(mine.values()) == {"not_started"}


def test_the_agent_has_completed_in_progress_overdue_and_recertification_work():
    call_command("seed_demo")
    today = timezone.localdate()
    held = sorted(
        (a.course.title, a.reason, a.status_on(today))
        for a in Assignment.objects.filter(employee__user__email="agent@example.com")
    )
    assert held == [
        ("Complaint Handling and De-escalation", "rule", "overdue"),
        ("Customer Service Essentials", "manual", "completed"),
        # Assigned again when its renewal window opened; the certificate then ran out.
        ("Customer Service Essentials", "recertification", "overdue"),
        ("Privacy in Every Conversation", "rule", "in_progress"),
        ("Refunds Done Right", "manual", "completed"),
        ("Refunds Done Right", "recertification", "not_started"),
    ]
    delta = Assignment.objects.get(
        employee__user__email="agent@example.com",
        course__slug="refunds-done-right",
        reason="recertification",
    )
    assert delta.policy_version.label == "2.0"
    assert delta.changed_section_headings  # only the sections 2.0 changed
    # Due its window after the course was republished on 2.0, two days after 2.0 took
    # effect, when the refresher opened.
    ready = CoursePolicyPin.objects.get(course=delta.course, version=delta.policy_version).pinned_at
    assert ready > delta.policy_version.effective_at
    assert delta.opened_at == ready
    assert delta.due_date == timezone.localdate(ready) + datetime.timedelta(days=30)


def test_the_agent_holds_one_current_and_one_expired_certificate_with_pdfs():
    call_command("seed_demo")
    today = timezone.localdate()
    held = {
        c.course_title: c.status_on(today)
        for c in Certificate.objects.filter(user__email="agent@example.com")
    }
    assert held == {
        "Customer Service Essentials": CertificateStatus.EXPIRED,
        # Valid until its recertification due date, because Refunds and Returns changed.
        "Refunds Done Right": CertificateStatus.RECERTIFICATION_DUE,
    }
    assert not Certificate.objects.filter(pdf_sha256="").exists()
    call_command("seed_demo")  # idempotent: nothing issued twice
    assert Certificate.objects.filter(user__email="agent@example.com").count() == 2


def test_the_onboarding_course_uses_every_module_block_and_quotes_real_sections():
    call_command("seed_demo")
    course = CoursePage.objects.get(slug="customer-service-essentials")
    modules = list(course.get_modules())
    assert 4 <= len(modules) <= 6
    used = {block.block_type for module in modules for block in module.body}
    assert used == set(ModuleBodyBlock.base_blocks) | set(ModuleBodyBlock.declared_blocks)
    for module in ModulePage.objects.all():
        module.full_clean()  # block validation: sections exist, checks have an answer
        assert module.knowledge_check_ids(), module.title


def test_every_question_the_onboarding_final_can_draw_is_taught_in_its_modules():
    """A new hire can answer the final from the course: every section any question in
    its pool cites is excerpted in one of the course's modules."""
    call_command("seed_demo")
    course = CoursePage.objects.get(slug="customer-service-essentials")
    taught = {
        (block["value"]["policy"], block["value"]["section_key"])
        for module in course.get_modules().specific()
        for block in module.body.raw_data
        if block["type"] == "policy_excerpt"
    }
    rules = list(course.assessment.selection_rules.all())
    pool = [rule.question for rule in rules if rule.is_fixed]
    for rule in rules:
        if not rule.is_fixed:
            pool.extend(rule.pool())
    assert len(pool) >= 12
    for question in pool:
        keys = [key for key in question.section_keys.split(",") if key]
        assert question.policy_id and keys, question.title
        for key in keys:
            assert (question.policy_id, key) in taught, (question.title, key)


def test_the_demo_bank_covers_every_kind_competency_and_policy():
    call_command("seed_demo")
    questions = list(Question.objects.prefetch_related("competencies"))
    assert len(questions) >= 40
    assert {q.kind for q in questions} == set(QuestionAnswerBlock().child_blocks)
    covered = {c.key for q in questions for c in q.competencies.all()}
    assert covered == set(Competency.objects.values_list("key", flat=True))
    assert {q.policy.slug for q in questions if q.policy} == set(
        PolicyPage.objects.values_list("slug", flat=True)
    )
    for question in questions:
        question.full_clean()
        value = question.answer[0].value
        if question.kind != "essay":
            assert fraction(question.kind, value, best_answer(question.kind, value)) == 1.0


def test_every_demo_course_has_a_certifying_assessment_and_the_agent_passed_one():
    call_command("seed_demo")
    for course in CoursePage.objects.all():
        assert course.assessment is not None, course.title
        assert course.assessment.mode == AssessmentMode.CERTIFYING
    essentials = CoursePage.objects.get(slug="customer-service-essentials")
    assert essentials.practice_assessment.mode == AssessmentMode.PRACTICE
    agent = Attempt.objects.filter(
        user__email="agent@example.com", assessment=essentials.assessment
    ).order_by("number")
    assert [a.passed for a in agent] == [False, True]
    assert Attempt.objects.filter(assessment=essentials.assessment).count() >= 10


def test_the_compliance_matrix_tells_a_story_at_first_sight(client):
    """Months of completions, a material revision and some people late: HR's matrix
    shows every kind of cell, and the chart has history for each department."""
    call_command("seed_demo")
    client.force_login(User.objects.get(email="hr@example.com"))
    html = client.get("/admin/reports/compliance/").content.decode()
    for words in ("Current on", "Certified on v1.1, due by", "Overdue since", "In progress"):
        assert words in html, words
    today = timezone.localdate()
    employees = Employee.objects.active()
    course_ids = [column.pk for column in matrix_columns()]
    _, series = compliance_history(employees, course_ids=course_ids, today=today)
    assert {"Customer Support", "Returns and Billing"} <= set(series)
    for name in ("Customer Support", "Returns and Billing"):
        known = [value for value in series[name] if value is not None]
        assert len(known) >= 8 and len(set(known)) >= 3, (name, series[name])


def test_demo_history_is_chronologically_possible():
    """Every version took effect in order, and every certificate names only versions in
    effect when the attempt it was earned with started."""
    call_command("seed_demo")
    for policy in PolicyPage.objects.all():
        versions = list(policy.versions.order_by("major", "minor"))
        days = [v.effective_at for v in versions]
        assert days == sorted(days), policy.title
        assert all(v.effective_at <= timezone.now() for v in versions)
    certificates = Certificate.objects.select_related("attempt").prefetch_related(
        "versions__version"
    )
    assert certificates.exists()
    for certificate in certificates:
        assert certificate.attempt is not None
        for named in certificate.versions.all():
            assert named.version.effective_at <= certificate.attempt.started_at, (
                certificate.serial,
                str(named.version),
            )


def test_every_course_teaches_what_it_tests_on_the_current_versions(client):
    call_command("seed_demo")
    for course in CoursePage.objects.all():
        pinned = CoursePolicyPin.objects.versions_by_policy(course)
        assert {v.pk for v in pinned.values()} == {
            p.specific.current_version.pk for p in course.policies.all()
        }, course.title
    # The agent has both courses that teach refunds.
    client.force_login(User.objects.get(email="agent@example.com"))
    for slug, module in (
        ("customer-service-essentials", "refunds-and-returns-in-practice"),
        ("refunds-done-right", "inside-the-rules"),
        ("refunds-done-right", "outside-the-window"),
    ):
        html = client.get(f"/learn/courses/{slug}/{module}/").content.decode()
        assert "New in Refunds and Returns 2.0" in html, module
        assert "45 days" in html and "£75" in html, module
        assert "within 30 days of delivery" not in html, module
        assert "up to £50" not in html, module
    # The role-play and the final assessment ask for the same numbers.
    roleplay = ScenarioPage.objects.get(slug="refund-outside-the-window")
    assert "45 days" in json.dumps(list(roleplay.steps.raw_data), ensure_ascii=False)
    bank = " ".join(
        json.dumps(list(q.answer.raw_data), ensure_ascii=False) for q in Question.objects.all()
    )
    assert "the window is 45 days" in bank and "£75 since version 2.0" in bank


def test_the_agents_recertifications_say_why_in_words(client):
    call_command("seed_demo")
    client.force_login(User.objects.get(email="agent@example.com"))
    html = client.get("/learn/").content.decode()
    essentials = Certificate.objects.get(
        user__email="agent@example.com", course__slug="customer-service-essentials"
    )
    day = essentials.expires_on
    assert (
        f"Your certificate expired (valid until {day.day} {day:%b %Y}): the whole course again."
        in html
    )
    assert "Refunds and Returns changed on" in html  # the delta on Refunds Done Right
    assert "the whole course." not in html.replace("the whole course again.", "")
    # Refunds Done Right teaches 2.0, so nothing holds the agent's delta back.
    page = client.get("/learn/courses/refunds-done-right/").content.decode()
    assert "waiting for its trainer" not in page


def test_demo_content_agrees_with_itself():
    call_command("seed_demo")
    greeting = Question.objects.get(title="Opening a call")
    assert "Harbourside Home Goods" in json.dumps(list(greeting.answer.raw_data))
    assert "Harbour Home." not in json.dumps(list(greeting.answer.raw_data))
    jargon = Question.objects.get(title="Jargon with a gloss")
    assert "best left out" in str(jargon.stem)


def test_the_agents_acknowledgements_are_dated_when_they_were_read():
    call_command("seed_demo")
    agent = User.objects.get(email="agent@example.com")
    acknowledgements = PolicyAcknowledgement.objects.filter(user=agent).select_related("version")
    assert acknowledgements.exists()
    week_ago = timezone.now() - datetime.timedelta(days=7)
    for acknowledgement in acknowledgements:
        assert acknowledgement.acknowledged_at >= acknowledgement.version.effective_at
        assert acknowledgement.acknowledged_at.date() >= agent.employee.hire_date
        if acknowledgement.version.effective_at < week_ago - datetime.timedelta(days=30):
            assert acknowledgement.acknowledged_at < week_ago, str(acknowledgement.version)


def test_knowledge_check_praise_is_said_once():
    call_command("seed_demo")
    for module in ModulePage.objects.all():
        for block in module.body.raw_data:
            if block["type"] != "knowledge_check":
                continue
            for option in block["value"]["options"]:
                if option["correct"]:
                    first = option["feedback"].split()[0].strip(".:,")
                    assert first not in {"Right", "Correct", "Yes"}, option["feedback"]


def test_every_attempt_served_the_questions_as_they_read_when_it_started(client):
    """Each served revision predates its attempt; attempts from before Refunds and Returns
    2.0 served the refunds questions with 1.1's figures and were marked on them, and the
    trainer's 2.0 revision is dated after 2.0 came out, once however often the demo runs."""
    call_command("seed_demo")
    call_command("seed_demo")
    two = PolicyVersion.objects.get(policy__slug="refunds-and-returns", major=2)
    items = AttemptItem.objects.select_related("attempt", "revision", "question")
    assert items.exists()
    before_two = []
    for item in items:
        assert item.revision.created_at < item.attempt.started_at, str(item)
        if item.policy_id == two.policy_id and item.attempt.started_at < two.effective_at:
            before_two.append(item)
    served = {item.question.title: item for item in before_two}
    assert {"The returns window", "Credit on your own authority"} <= set(served)
    for item in before_two:
        wording = json.dumps(item.revision.content, ensure_ascii=False)
        assert "45 days" not in wording and "£75" not in wording, item.question.title
    for title, figure in (("The returns window", 30), ("Credit on your own authority", 50)):
        item = served[title]
        key = served_question(item.revision).answer[0].value["answers"]
        assert [float(answer["value"]) for answer in key if answer["credit"]] == [figure]
        # The scripted learners answered right on the revision they were served.
        marked_right = items.filter(question=item.question, fraction=1.0)
        assert marked_right.exists()
        assert all(float(i.answer) == figure for i in marked_right), title
    for title in ("The returns window", "Credit on your own authority", "Day 40 return"):
        question = Question.objects.get(title=title)
        latest = question.latest_revision
        assert latest.created_at > two.published_at, title
        assert latest.created_at < timezone.now() - datetime.timedelta(days=9), title
        assert latest.user.email == "trainer@example.com"
        assert question.revisions.count() == 2, title
    # HR's record for the agent names the version, the figures and the later revision.
    agent = Employee.objects.get(user__email="agent@example.com")
    client.force_login(User.objects.get(email="hr@example.com"))
    html = client.get(f"/admin/reports/employees/{agent.pk}/").content.decode()
    assert "Refunds and Returns 1.1" in html
    assert "revised since" in html
