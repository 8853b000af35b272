"""Role groups exist with the right powers; people without HR rights are refused HR pages."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from learning.choices import Role

pytestmark = pytest.mark.django_db

HR_URLS = [
    reverse("employees:index"),
    reverse("employees:add"),
    reverse("employees:index") + "?export=csv",
    reverse("departments:index"),
    reverse("learning_staff_import"),
]


def test_every_role_group_exists():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_trainers_author_content_but_hold_no_hr_data():
    trainers = Group.objects.get(name="Trainers")
    codenames = set(trainers.permissions.values_list("codename", flat=True))
    assert "access_admin" in codenames
    assert not any(code.endswith("employee") for code in codenames)
    assert trainers.page_permissions.filter(permission__codename="publish_page").exists()


def test_hr_may_manage_and_import_people():
    codenames = set(Group.objects.get(name="HR").permissions.values_list("codename", flat=True))
    assert {"add_employee", "change_employee", "view_employee", "import_staff"} <= codenames


@pytest.mark.parametrize("url", HR_URLS)
@pytest.mark.parametrize("role_fixture", ["learner", "trainer", "manager"])
def test_other_roles_are_refused_hr_admin_pages(client, request, role_fixture, url):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get(url)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("employees:index"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_learner_cannot_reach_the_admin_dashboard(client, learner):
    client.force_login(learner)
    assert client.get("/admin/").status_code == 403


@pytest.mark.parametrize("url", HR_URLS)
def test_hr_reaches_hr_pages(client, hr_user, url):
    client.force_login(hr_user)
    assert client.get(url).status_code == 200


def test_trainer_cannot_post_a_staff_import(client, trainer):
    client.force_login(trainer)
    response = client.post(reverse("learning_staff_import"), {"dry_run": ""})
    assert response.status_code == 403
