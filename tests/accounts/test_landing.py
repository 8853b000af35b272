"""After signing in, each role lands where its work is, unless a safe ``next`` says otherwise."""

import pytest

from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
LOGIN_URL = "/accounts/login/"


def sign_in(client, user, password, next_url=None):
    url = LOGIN_URL if next_url is None else f"{LOGIN_URL}?next={next_url}"
    return client.post(url, {"login": user.email, "password": password})


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("learner", "/learn/"),
        ("manager", "/learn/team/"),
        ("hr_user", "/admin/"),
        ("trainer", "/admin/"),
    ],
)
def test_each_role_lands_where_its_work_is(request, client, password, role, landing):
    user = request.getfixturevalue(role)
    response = sign_in(client, user, password)
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_superuser_lands_in_the_admin(client, make_user, password):
    admin = make_user(email="root@example.com", is_superuser=True, is_staff=True)
    assert sign_in(client, admin, password)["Location"] == "/admin/"


def test_someone_with_reports_lands_on_their_team_without_the_managers_group(client, password):
    lead = EmployeeFactory(user__email="lead@example.com", user__groups=["Learners"])
    EmployeeFactory(manager=lead)
    assert sign_in(client, lead.user, password)["Location"] == "/learn/team/"


def test_a_manager_who_has_left_is_a_learner_again(client, password):
    lead = EmployeeFactory(user__email="lead@example.com", user__groups=["Learners"], active=False)
    EmployeeFactory(manager=lead)
    assert sign_in(client, lead.user, password)["Location"] == "/learn/"


def test_a_safe_next_wins_over_the_landing_page(client, hr_user, password):
    response = sign_in(client, hr_user, password, next_url="/policies/")
    assert response["Location"] == "/policies/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.net/", "//evil.example.net/admin/", "http:/evil.example.net"]
)
def test_a_next_to_another_host_is_ignored(client, learner, password, next_url):
    response = sign_in(client, learner, password, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/learn/"


def test_managers_get_my_team_in_the_navigation_and_learners_do_not(
    client, manager, learner, password
):
    sign_in(client, manager, password)
    assert 'href="/learn/team/">My team<' in client.get("/learn/").content.decode()
    client.logout()
    sign_in(client, learner, password)
    assert "My team<" not in client.get("/learn/").content.decode()
