"""The admin home: HR's summary and the trainers' summary, each figure from the selector
behind its full report and linked to it; each role sees only its own; fixed query counts."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from assessments.choices import AttemptStatus
from assessments.services import attempt_save, attempt_start, attempt_submit, served_items
from certificates.services import certificate_issue
from cms.choices import ChangeKind
from cms.models import SiteBranding
from learning.admin_home import hr_summary, trainer_summary
from learning.choices import AssignmentReason
from learning.models import Assignment
from learning.recertification import recertification_fan_out
from tests.assessments.attempt_helpers import form
from tests.assessments.factories import SAMPLES, make_assessment, make_question
from tests.cms.factories import DEFAULT_SECTIONS, publish_policy, revise, section
from tests.courses.factories import excerpt, make_course, refunds_course, text
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 10)
HOME = "/admin/"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return TODAY


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def assign(employee, course, due, **fields):
    return Assignment.objects.create(
        employee=employee,
        course=course,
        reason=fields.pop("reason", AssignmentReason.MANUAL),
        assigned_at=NOW - datetime.timedelta(days=30),
        due_date=due,
        **fields,
    )


def wider_window(policy):
    sections = [
        section("returns-window", "The returns window", "Within 45 days."),
        *DEFAULT_SECTIONS[1:],
    ]
    return revise(policy, kind=ChangeKind.MATERIAL, summary="45 days.", days=30, sections=sections)


def populate_hr(size: int):
    """``size`` people on a course each: one overdue, one certified (expiring within 30
    days for half), plus a material revision that sends the certified to recertify."""
    course, policy = refunds_course(certificate_validity_months=12)
    for _ in range(size):
        late = EmployeeFactory()
        assign(late, course, days(-3))
        holder = EmployeeFactory()
        assign(holder, course, days(-40), completed_at=NOW)
        certificate_issue(user=holder.user, course=course, today=datetime.date(2025, 3, 25))
    wider_window(policy)
    recertification_fan_out(version_id=policy.versions.newest_first().first().pk)
    return course


def test_hr_sees_compliance_per_course_overdue_expiring_and_recertification(
    client, hr_user, frozen
):
    course, policy = refunds_course(certificate_validity_months=12)
    other = make_course("Complaints Basics")
    late, due_soon, holder, renewing = (EmployeeFactory() for _ in range(4))
    assign(late, course, days(-3))
    assign(due_soon, other, days(5))
    assign(holder, course, days(-40), completed_at=NOW)
    certificate_issue(user=holder.user, course=course, today=datetime.date(2025, 3, 25))
    assign(renewing, course, days(-60), completed_at=NOW)
    certificate_issue(user=renewing.user, course=course, today=datetime.date(2025, 12, 1))

    summary = hr_summary(today=TODAY)
    assert [(c.title, c.percent, c.compliant, c.required) for c in summary.courses] == [
        ("Complaints Basics", 0, 0, 1),
        ("Refunds Done Right", 67, 2, 3),
    ]
    assert (summary.overdue, summary.due_soon, summary.expiring) == (1, 1, 1)
    assert (summary.recertifying, summary.recertifying_overdue) == (0, 0)

    wider_window(policy)
    recertification_fan_out(version_id=policy.versions.newest_first().first().pk)
    assert hr_summary(today=TODAY).recertifying == 2

    client.force_login(hr_user)
    html = client.get(HOME).content.decode()
    assert "Training across the organisation" in html
    assert f'href="{reverse("learning_overdue_report")}?status=overdue"' in html
    assert f'href="{reverse("learning_expiring_certificates_report")}"' in html
    assert f'href="{reverse("learning_recertification_report")}"' in html
    assert f'href="{reverse("learning_compliance")}?course={course.pk}"' in html
    assert "2</span>" in html and "recertifications after a policy change in progress" in html
    assert "assignment overdue" in html and "certificate expiring in the next 30 days" in html


def test_every_figure_on_hr_summary_opens_a_report_that_answers(client, hr_user, frozen):
    populate_hr(1)
    client.force_login(hr_user)
    html = client.get(HOME).content.decode()
    for name in (
        "learning_overdue_report",
        "learning_expiring_certificates_report",
        "learning_recertification_report",
        "learning_compliance",
    ):
        assert reverse(name) in html
        assert client.get(reverse(name)).status_code == 200


def stale_course(title: str, policy):
    return make_course(
        title,
        policies=[policy],
        modules=[("The window", [text("<p>Thirty days.</p>"), excerpt(policy, "returns-window")])],
    )


def answered_question(make_user, *, attempts=6):
    """A question whose distractor nobody picks: item analysis flags it."""
    question = make_question("single_choice", SAMPLES["single_choice"][0], title="The window")
    assessment = make_assessment([question])
    for index in range(attempts):
        attempt = attempt_start(user=make_user(), assessment=assessment)
        item = served_items(attempt)[0]
        answer = SAMPLES["single_choice"][1 if index < 4 else 2]
        attempt_save(attempt=attempt, sequence=0, data=form((item, answer)), positions=[1])
        attempt_submit(attempt=attempt)
    return question


def essay_waiting(user):
    essay = make_question(
        "essay",
        {"rubric": [{"criterion": "Says sorry", "points": 2}], "grader_guidance": ""},
        title="Write the apology",
    )
    attempt = attempt_start(user=user, assessment=make_assessment([essay]))
    item = served_items(attempt)[0]
    attempt_save(attempt=attempt, sequence=0, data=form((item, "We are sorry.")), positions=[1])
    attempt_submit(attempt=attempt)
    assert attempt.status == AttemptStatus.AWAITING_GRADING
    return attempt


def test_trainers_see_stale_courses_essays_to_grade_and_flagged_questions(
    client, trainer, learner, make_user
):
    policy = publish_policy()
    stale = stale_course("Refunds Done Right", policy)
    make_course("Unrelated", modules=[("Hello", [text("<p>Hi.</p>")])])
    wider_window(policy)
    essay_waiting(learner)
    answered_question(make_user)

    summary = trainer_summary(user=trainer)
    assert [(row.title, row.quotes, row.waiting) for row in summary.to_republish] == [
        ("Refunds Done Right", 1, 0)
    ]
    assert (summary.essays_waiting, summary.flagged_questions) == (1, 1)

    client.force_login(trainer)
    html = client.get(HOME).content.decode()
    assert "Your courses and questions" in html
    assert reverse("wagtailadmin_pages:edit", args=[stale.pk]) in html
    assert "1 quote to update" in html
    assert "teaches Refunds 1.0, now 2.0" in html
    assert reverse("assessments_essay_queue") in html
    assert reverse("assessments_item_analysis") in html
    for name in ("assessments_essay_queue", "assessments_item_analysis"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("wagtailadmin_pages:edit", args=[stale.pk])).status_code == 200

    stale.save_revision().publish()
    assert trainer_summary(user=trainer).to_republish == []


def test_an_editorial_change_to_an_unquoted_section_lists_the_course_with_nothing_to_update():
    policy = publish_policy()
    stale_course("Refunds Done Right", policy)
    sections = [*DEFAULT_SECTIONS[:2], section("store-credit", "Store credit", "Up to £60.")]
    revise(policy, kind=ChangeKind.EDITORIAL, sections=sections)
    rows = trainer_summary(user=AnonymousUser()).to_republish
    assert [(row.title, row.quotes, row.waiting) for row in rows] == [("Refunds Done Right", 0, 0)]
    assert [(b.pinned.label, b.current.label) for b in rows[0].behind] == [("1.0", "1.1")]


def test_a_course_teaching_a_revised_policy_without_quoting_it_is_listed_with_who_waits(
    client, trainer, frozen
):
    policy = publish_policy()
    course = make_course(
        "Service Basics", policies=[policy], modules=[("Hello", [text("<p>Be kind.</p>")])]
    )
    for _ in range(2):
        holder = EmployeeFactory()
        assign(holder, course, days(-40), completed_at=NOW)
        certificate_issue(user=holder.user, course=course, today=datetime.date(2025, 3, 25))
    wider_window(policy)
    recertification_fan_out(version_id=policy.versions.newest_first().first().pk)

    rows = trainer_summary(user=trainer).to_republish
    assert [(row.title, row.quotes, row.waiting) for row in rows] == [("Service Basics", 0, 2)]
    client.force_login(trainer)
    html = client.get(HOME).content.decode()
    assert "course to republish on a newer policy version" in html
    assert reverse("wagtailadmin_pages:edit", args=[course.pk]) in html
    assert "2 people&#x27;s recertification waits for it" in html

    course.save_revision().publish()
    assert trainer_summary(user=trainer).to_republish == []
    assert "Every course teaches its policies as they are now" in client.get(HOME).content.decode()


HR_HEADING = "Training across the organisation"
TRAINER_HEADING = "Your courses and questions"


def test_hr_never_sees_the_trainers_summary(client, hr_user):
    client.force_login(hr_user)
    html = client.get(HOME).content.decode()
    assert HR_HEADING in html and TRAINER_HEADING not in html


def test_trainers_never_see_hr_summary(client, trainer):
    client.force_login(trainer)
    html = client.get(HOME).content.decode()
    assert TRAINER_HEADING in html and HR_HEADING not in html


def test_both_summaries_replace_wagtails_page_counts(client, hr_user, trainer):
    for user in (hr_user, trainer):
        client.force_login(user)
        assert "w-summary__list" not in client.get(HOME).content.decode()


@pytest.mark.parametrize("role", ["learner", "manager"])
def test_learners_and_managers_get_no_admin_home(client, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(HOME)
    assert response.status_code in (302, 403)
    assert HR_HEADING not in response.content.decode()
    assert TRAINER_HEADING not in response.content.decode()


@pytest.mark.parametrize("size", [2, 20])
def test_hr_summary_query_count_does_not_grow(
    client, hr_user, frozen, size, django_assert_max_num_queries
):
    populate_hr(size)
    for index in range(size):
        make_course(f"Extra {index}", modules=[])
        assign(EmployeeFactory(), Assignment.objects.last().course, days(3))
    with django_assert_max_num_queries(6):
        summary = hr_summary(today=TODAY)
    assert summary.overdue == size
    client.force_login(hr_user)
    client.get(HOME)  # warm Wagtail's own caches
    with django_assert_max_num_queries(30):
        assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("size", [2, 20])
def test_trainer_summary_query_count_does_not_grow(
    client, trainer, make_user, size, django_assert_max_num_queries
):
    policy = publish_policy()
    for index in range(size):
        stale_course(f"Course {index}", policy)
    wider_window(policy)
    for _ in range(size):
        answered_question(make_user, attempts=3)
    trainer.has_perm("assessments.change_attempt")  # the permissions, read once per request
    with django_assert_max_num_queries(8):
        summary = trainer_summary(user=trainer)
    assert len(summary.to_republish) == size
    client.force_login(trainer)
    client.get(HOME)
    with django_assert_max_num_queries(32):
        assert client.get(HOME).status_code == 200


def test_every_role_sees_the_organisations_name_as_the_admin_home_title(client, hr_user, trainer):
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Web server name"
    site.save()
    branding = SiteBranding.for_site(site)
    branding.organisation_name = "Harbourside Home Goods"
    branding.save()
    for user in (hr_user, trainer):
        client.force_login(user)
        html = client.get(HOME).content.decode()
        title = html.split('<h1 class="w-h1 w-mt-0">', 1)[1].split("</h1>", 1)[0]
        assert title.strip() == "Harbourside Home Goods"
