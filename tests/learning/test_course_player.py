"""The learner's pages: dashboard, course overview, modules, knowledge checks, completion."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.choices import ChangeKind
from learning.models import Assignment, KnowledgeCheckAnswer, ModuleProgress
from tests.cms.factories import DEFAULT_SECTIONS, revise, section
from tests.courses.factories import WINDOW_CHECK, excerpt, make_course, refunds_course, text
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def assign(user, course, *, due_in=10, **fields):
    employee = getattr(user, "employee", None) or EmployeeFactory(user=user)
    return Assignment.objects.create(
        employee=employee,
        course=course,
        reason=fields.pop("reason", "manual"),
        assigned_at=timezone.now(),
        due_date=timezone.localdate() + datetime.timedelta(days=due_in),
        **fields,
    )


@pytest.fixture
def course_and_policy():
    return refunds_course()


@pytest.fixture
def course(course_and_policy):
    return course_and_policy[0]


@pytest.fixture
def modules(course):
    return list(course.get_modules())


@pytest.fixture
def assigned(client, learner, course):
    client.force_login(learner)
    return assign(learner, course)


def module_url(course, module):
    return reverse("learning:module", args=[course.slug, module.slug])


def check_url(course, module, block_id):
    return reverse("learning:knowledge_check", args=[course.slug, module.slug, block_id])


def finish_url(course, module):
    return reverse("learning:module_complete", args=[course.slug, module.slug])


def check_id(module):
    return module.knowledge_check_ids()[0]


# --- dashboard ----------------------------------------------------------------------------


def test_the_dashboard_needs_a_signed_in_person(client):
    response = client.get("/learn/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_someone_with_nothing_assigned_sees_an_empty_state(client, learner):
    client.force_login(learner)
    page = client.get("/learn/").content.decode()
    assert "Nothing is assigned to you right now." in page


def test_the_dashboard_puts_overdue_work_first_and_shows_the_truth(client, learner):
    late = make_course("Complaint Handling")
    soon = make_course("Privacy Basics")
    done = make_course("Refunds Done Right")
    client.force_login(learner)
    assign(learner, late, due_in=-3)
    assign(learner, soon, due_in=5)
    assign(learner, done, completed_at=timezone.now())
    page = client.get("/learn/").content.decode()
    assert page.index("Overdue") < page.index("Complaint Handling")
    assert page.index("Complaint Handling") < page.index("Due in the next two weeks")
    assert page.index("Privacy Basics") < page.index('id="section-completed"')
    assert page.index('id="section-completed"') < page.index("Refunds Done Right")
    assert "Nothing is assigned" not in page


def test_open_courses_appear_without_an_assignment(client, learner):
    make_course("Service Standards Refresher", open_to_all=True)
    client.force_login(learner)
    page = client.get("/learn/").content.decode()
    assert "Open to everyone" in page and "Service Standards Refresher" in page


# --- who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["no-such-course", "refunds-done-right"])
def test_unknown_and_unassigned_courses_are_not_found(client, learner, course, slug):
    client.force_login(learner)
    assert client.get(reverse("learning:course", args=[slug])).status_code == 404
    assert client.get(f"/learn/courses/{slug}/the-window/").status_code == 404
    assert not ModuleProgress.objects.exists()


def test_another_learners_course_is_not_reachable_by_url(
    client, learner, make_user, course, modules
):
    colleague = make_user("Learners", email="colleague@example.com")
    assign(colleague, course)
    client.force_login(learner)
    assert client.get(module_url(course, modules[0])).status_code == 404
    response = client.post(check_url(course, modules[1], check_id(modules[1])), {"option": "0"})
    assert response.status_code == 404
    assert client.post(finish_url(course, modules[0])).status_code == 404
    assert not KnowledgeCheckAnswer.objects.exists()
    assert not ModuleProgress.objects.exists()


def test_an_unpublished_course_is_not_found_even_when_assigned(client, learner, course):
    assign(learner, course)
    course.unpublish()
    client.force_login(learner)
    assert client.get(reverse("learning:course", args=[course.slug])).status_code == 404


def test_a_module_of_another_course_is_not_found(client, assigned, course):
    other = make_course("Privacy Basics", modules=[("Consent", [text("<p>Ask first.</p>")])])
    consent = other.get_modules().get()
    assert client.get(f"/learn/courses/{course.slug}/{consent.slug}/").status_code == 404


# --- progress and resume ----------------------------------------------------------------------


def test_opening_a_module_starts_the_course_and_resume_points_at_the_next_module(
    client, assigned, course, modules
):
    overview = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    assert "Start the course" in overview and "Not started" in overview

    client.get(module_url(course, modules[0]))
    assigned.refresh_from_db()
    assert assigned.started_at is not None
    assert client.post(finish_url(course, modules[0])).url == module_url(course, modules[1])

    overview = client.get(reverse("learning:course", args=[course.slug])).content.decode()
    assert "Continue where you left off" in overview
    assert f'href="{module_url(course, modules[1])}">Continue' in overview
    assert "1 of 2 modules" in overview
    dashboard = client.get("/learn/").content.decode()
    assert "In progress" in dashboard and "1 of 2 modules" in dashboard


def test_the_module_page_shows_the_pinned_policy_text(client, assigned, course, modules):
    page = client.get(module_url(course, modules[0])).content.decode()
    assert "Customers may return items within 30 days." in page
    assert 'href="/policies/refunds/versions/1.0/#section-returns-window"' in page
    assert "Module 1 of 2" in page
    assert "Next: Check yourself" in page


def test_a_republished_module_shows_its_new_content(client, assigned, course, modules):
    assert "Thirty days." in client.get(module_url(course, modules[0])).content.decode()
    module = modules[0]
    module.body = [text("<p>Forty-five days from delivery.</p>")]
    module.save_revision().publish()
    page = client.get(module_url(course, module)).content.decode()
    assert "Forty-five days from delivery." in page and "Thirty days." not in page


def test_republishing_the_course_quotes_the_new_policy_version(
    client, assigned, course_and_policy, modules
):
    course, policy = course_and_policy
    url = module_url(course, modules[0])
    assert "within 30 days" in client.get(url).content.decode()
    sections = [
        section(
            "returns-window", "The returns window", "Customers may return items within 45 days."
        ),
        *DEFAULT_SECTIONS[1:],
    ]
    revise(policy, kind=ChangeKind.MATERIAL, summary="45 days.", days=30, sections=sections)
    assert "within 30 days" in client.get(url).content.decode(), "still pinned to 1.0"
    course.save_revision().publish()
    page = client.get(url).content.decode()
    assert "within 45 days" in page and "version 2.0" in page


# --- knowledge checks ---------------------------------------------------------------------------


def test_the_page_never_carries_the_answer_key(client, assigned, course, modules):
    page = client.get(module_url(course, modules[1])).content.decode()
    assert "Accept the return: it is inside the window." in page
    for secret in ("Yes: 20 days is within 30.", "No manager is needed", "correct"):
        assert secret not in page


def test_an_answer_is_checked_on_the_server_with_immediate_feedback(
    client, learner, assigned, course, modules
):
    module = modules[1]
    response = client.post(check_url(course, module, check_id(module)), {"option": "1"})
    assert response.url == f"{module_url(course, module)}#check-{check_id(module)}"
    page = client.get(module_url(course, module)).content.decode()
    assert "Not quite." in page and "No manager is needed inside the window." in page
    assert "Yes: 20 days is within 30." not in page

    client.post(check_url(course, module, check_id(module)), {"option": "0"})
    answer = KnowledgeCheckAnswer.objects.get(user=learner)
    assert (answer.option, answer.correct) == (0, True)
    assert "That's right." in client.get(module_url(course, module)).content.decode()


@pytest.mark.parametrize("option", ["3", "-1", "abc", "", None])
def test_an_answer_that_is_not_an_option_is_refused(client, assigned, course, modules, option):
    module = modules[1]
    data = {} if option is None else {"option": option}
    response = client.post(check_url(course, module, check_id(module)), data)
    assert response.status_code == 400
    assert "Choose one of the answers." in response.content.decode()
    assert not KnowledgeCheckAnswer.objects.exists()


def test_an_answer_to_a_question_not_in_the_module_is_refused(client, assigned, course, modules):
    response = client.post(check_url(course, modules[0], check_id(modules[1])), {"option": "0"})
    assert response.status_code == 400
    assert not KnowledgeCheckAnswer.objects.exists()


def test_answers_must_be_posted(client, assigned, course, modules):
    url = check_url(course, modules[1], check_id(modules[1]))
    assert client.get(url, {"option": "0"}).status_code == 405


# --- completion -------------------------------------------------------------------------------


def test_a_module_with_an_unanswered_check_cannot_be_finished(client, assigned, course, modules):
    response = client.post(finish_url(course, modules[1]), follow=True)
    assert "Answer the 1 knowledge check in this module before you finish it." in (
        response.content.decode()
    )
    assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()


def test_finishing_every_module_completes_the_assignment(
    client, learner, assigned, course, modules
):
    client.post(finish_url(course, modules[0]))
    client.post(check_url(course, modules[1], check_id(modules[1])), {"option": "2"})
    response = client.post(finish_url(course, modules[1]), follow=True)
    assert "You have completed Refunds Done Right. Well done." in response.content.decode()
    assigned.refresh_from_db()
    assert assigned.completed_at is not None
    assert ModelLogEntry.objects.filter(action="learning.complete", user=learner).count() == 1
    dashboard = client.get("/learn/").content.decode()
    assert 'id="section-completed"' in dashboard and "All done: 2 modules" in dashboard


def test_finishing_a_module_twice_counts_once(client, assigned, course, modules):
    client.post(finish_url(course, modules[0]))
    client.post(finish_url(course, modules[0]))
    assert ModuleProgress.objects.filter(completed_at__isnull=False).count() == 1
    assigned.refresh_from_db()
    assert assigned.completed_at is None


# --- query counts ---------------------------------------------------------------------------------


def dashboard_with(client, user, count):
    courses = [
        make_course(f"Course {n}", modules=[("One", [text("<p>a</p>")]), ("Two", [])])
        for n in range(count)
    ]
    for n, course in enumerate(courses):
        assign(user, course, due_in=n - count // 2)
    client.force_login(user)


@pytest.mark.parametrize("count", [2, 40])
def test_the_dashboard_query_count_does_not_grow_with_assignments(
    client, make_user, django_assert_max_num_queries, count
):
    user = make_user("Learners", email=f"busy{count}@example.com")
    dashboard_with(client, user, count)
    # 16: one of them asks whether anyone reports to this person (the link to their team).
    with django_assert_max_num_queries(16):
        response = client.get("/learn/")
    assert response.content.decode().count('class="card course-card') == count


@pytest.mark.parametrize("blocks", [3, 60])
def test_the_module_page_query_count_does_not_grow_with_blocks(
    client, learner, django_assert_max_num_queries, blocks
):
    _, policy = refunds_course()
    kinds = [
        lambda: text("<p>Say what you will do next.</p>"),
        lambda: excerpt(policy, "returns-window"),
        lambda: WINDOW_CHECK,
    ]
    body = [kinds[n % 3]() for n in range(blocks)]
    big = make_course("Big Course", policies=[policy], modules=[("Everything", body)])
    module = big.get_modules().get()
    assign(learner, big)
    client.force_login(learner)
    client.post(check_url(big, module, module.knowledge_check_ids()[0]), {"option": "0"})
    with django_assert_max_num_queries(26):
        first = client.get(module_url(big, module))  # renders the body and caches it
    with django_assert_max_num_queries(20):
        again = client.get(module_url(big, module))
    for response in (first, again):
        assert response.content.decode().count('class="knowledge-check"') == blocks // 3
        assert response.content.decode().count('class="policy-excerpt"') == (blocks + 1) // 3
