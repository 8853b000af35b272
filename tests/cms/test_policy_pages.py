"""Staff reading the library: access, history, acknowledgements and query counts."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry, PageLogEntry

from cms.choices import ChangeKind
from cms.models import PolicyAcknowledgement, PolicyVersion
from tests.cms.factories import publish_policy, revise, section

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy():
    return publish_policy(title="Refunds")


def versions_of(policy, count):
    for n in range(count - 1):
        policy = revise(
            policy,
            kind=ChangeKind.EDITORIAL,
            sections=[section("returns-window", "Returns", f"Wording number {n}.")],
        )
    return policy


@pytest.mark.parametrize(
    "url",
    [
        "/policies/",
        "/policies/refunds/",
        "/policies/refunds/versions/",
        "/policies/refunds/versions/1.0/",
        "/policies/refunds/changes/1.0/1.0/",
    ],
)
def test_anonymous_visitors_are_asked_to_sign_in(client, policy, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_library_lists_policies_with_their_current_version(client, learner, policy):
    revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="New window.",
        days=30,
        sections=[section("returns-window", "Returns", "45 days.")],
    )
    client.force_login(learner)
    html = client.get("/policies/").content.decode()
    assert "Refunds" in html
    assert "Version 2.0" in html


def test_empty_library_says_so(client, learner):
    from tests.cms.factories import policy_index

    policy_index()
    client.force_login(learner)
    assert "No policies have been published yet" in client.get("/policies/").content.decode()


def test_history_lists_every_version_with_compare_links(client, learner, policy):
    policy = versions_of(policy, 3)
    client.force_login(learner)
    html = client.get("/policies/refunds/versions/").content.decode()
    for label in ("1.0", "1.1", "1.2"):
        assert f'href="/policies/refunds/versions/{label}/"' in html
    assert 'href="/policies/refunds/changes/1.1/1.2/"' in html


def test_old_version_says_it_was_replaced(client, learner, policy):
    versions_of(policy, 2)
    client.force_login(learner)
    html = client.get("/policies/refunds/versions/1.0/").content.decode()
    assert "This version has been replaced" in html
    assert policy.versions.get(major=1, minor=0).content_hash in html


@pytest.mark.parametrize("label", ["9.9", "1", "x.y", "1.0.0", "-1.0", "\u00b2.0"])
def test_unknown_version_labels_are_404(client, learner, policy, label):
    client.force_login(learner)
    assert client.get(f"/policies/refunds/versions/{label}/").status_code == 404


def test_unpublished_policy_is_404_for_staff(client, learner, policy):
    policy.unpublish()
    client.force_login(learner)
    assert client.get("/policies/refunds/").status_code == 404
    assert client.get("/policies/refunds/versions/").status_code == 404


@pytest.mark.parametrize("count", [3, 50])
def test_history_query_count_does_not_grow_with_versions(
    client, learner, policy, count, django_assert_max_num_queries
):
    policy = versions_of(policy, count)
    assert PolicyVersion.objects.filter(policy=policy).count() == count
    client.force_login(learner)
    with django_assert_max_num_queries(15):
        response = client.get("/policies/refunds/versions/")
    assert response.status_code == 200


class TestAcknowledgement:
    def acknowledge(self, client, label):
        return client.post(reverse("policy_acknowledge", args=["refunds"]), {"version": label})

    def test_staff_are_asked_then_thanked(self, client, learner, policy):
        client.force_login(learner)
        assert "I have read and understood version 1.0" in client.get(policy.url).content.decode()
        response = self.acknowledge(client, "1.0")
        assert response.status_code == 302
        ack = PolicyAcknowledgement.objects.get(user=learner)
        assert ack.version.label == "1.0"
        html = client.get(policy.url).content.decode()
        assert "You acknowledged version 1.0" in html
        assert PageLogEntry.objects.filter(action="cms.policy_acknowledge", user=learner).exists()

    def test_acknowledging_twice_records_once(self, client, learner, policy):
        client.force_login(learner)
        self.acknowledge(client, "1.0")
        self.acknowledge(client, "1.0")
        assert PolicyAcknowledgement.objects.filter(user=learner).count() == 1

    def test_editorial_version_does_not_ask_again(self, client, learner, policy):
        client.force_login(learner)
        self.acknowledge(client, "1.0")
        versions_of(policy, 2)
        assert "I have read and understood" not in client.get(policy.url).content.decode()

    def test_material_version_asks_again(self, client, learner, policy):
        client.force_login(learner)
        self.acknowledge(client, "1.0")
        revise(
            policy,
            kind=ChangeKind.MATERIAL,
            summary="Window now 45 days.",
            days=30,
            sections=[section("returns-window", "Returns", "45 days.")],
        )
        html = client.get(policy.url).content.decode()
        assert "I have read and understood version 2.0" in html
        assert "Window now 45 days." in html

    def test_acknowledgements_show_in_the_history(self, client, learner, policy):
        client.force_login(learner)
        self.acknowledge(client, "1.0")
        html = client.get("/policies/refunds/versions/").content.decode()
        assert PolicyAcknowledgement.objects.get().acknowledged_at.strftime("%-d %b %Y") in html

    def test_acknowledging_an_old_version_is_refused(self, client, learner, policy):
        revise(
            policy,
            kind=ChangeKind.MATERIAL,
            summary="x",
            days=5,
            sections=[section("returns-window", "Returns", "45 days.")],
        )
        client.force_login(learner)
        response = self.acknowledge(client, "1.0")
        assert response.status_code == 302
        assert not PolicyAcknowledgement.objects.exists()

    def test_unknown_label_is_404_and_get_is_refused(self, client, learner, policy):
        client.force_login(learner)
        assert self.acknowledge(client, "4.2").status_code == 404
        assert client.get(reverse("policy_acknowledge", args=["refunds"])).status_code == 405
        assert not PolicyAcknowledgement.objects.exists()

    def test_anonymous_cannot_acknowledge(self, client, policy):
        response = self.acknowledge(client, "1.0")
        assert response.status_code == 302
        assert not PolicyAcknowledgement.objects.exists()


def test_publishing_is_in_the_audit_log(policy):
    assert PageLogEntry.objects.filter(page=policy, action="cms.policy_version").exists()
    assert not ModelLogEntry.objects.filter(action="cms.policy_version").exists()
