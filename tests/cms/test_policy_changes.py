"""Comparing two versions: added, removed, moved, renamed and reworded sections."""

import pytest

from cms.choices import ChangeKind
from cms.services import PolicyComparisonError, policy_version_compare, word_diff
from tests.cms.factories import publish_policy, revise, section

pytestmark = pytest.mark.django_db

V1 = [
    section("greeting", "Greeting", "Say hello and give your name."),
    section("tone", "Tone", "Be calm and polite."),
    section("timing", "Timing", "Reply within one working day."),
    section("closing", "Closing", "Thank the customer."),
]


@pytest.fixture
def comparison():
    policy = publish_policy(title="Standards", sections=V1)
    v2_sections = [
        section(
            "timing", "Response times", "Reply within four working hours."
        ),  # moved, renamed, reworded
        section("greeting", "Greeting", "Say hello and give your name."),
        section("tone", "Tone", "Be calm and polite."),
        section("escalation", "Escalation", "Pass abusive calls to a team lead."),  # added
    ]  # "closing" removed
    policy = revise(
        policy, kind=ChangeKind.MATERIAL, summary="Faster replies.", days=10, sections=v2_sections
    )
    old, new = policy.versions.get(major=1), policy.versions.get(major=2)
    return policy_version_compare(old=old, new=new)


def by_key(comparison):
    return {change.key: change for change in comparison.sections}


def test_each_kind_of_change_is_recognised(comparison):
    changes = by_key(comparison)
    assert changes["escalation"].status == "added"
    assert changes["closing"].status == "removed"
    assert changes["timing"].status == "changed"
    assert changes["timing"].renamed and changes["timing"].moved
    assert changes["greeting"].status == "unchanged"
    assert not changes["greeting"].moved and not changes["greeting"].touched
    assert not changes["tone"].moved


def test_changed_keys_are_what_retraining_must_cover(comparison):
    assert sorted(comparison.changed_keys) == ["escalation", "timing"]


def test_reworded_words_are_highlighted(comparison):
    diff = str(by_key(comparison)["timing"].body_diff)
    assert (
        diff
        == "Reply within <del>one</del> <ins>four</ins> working <del>day.</del> <ins>hours.</ins>"
    )


def test_moved_section_alone_is_only_moved():
    policy = publish_policy(title="Moves", sections=V1)
    policy = revise(policy, kind=ChangeKind.EDITORIAL, sections=[V1[1], V1[0], V1[2], V1[3]])
    changes = by_key(
        policy_version_compare(old=policy.versions.get(minor=0), new=policy.versions.get(minor=1))
    )
    moved = [key for key, change in changes.items() if change.moved]
    assert len(moved) == 1
    assert all(change.status == "unchanged" for change in changes.values())


def test_word_diff_escapes_markup():
    diff = str(word_diff("Use <b>bold</b> words", "Use <script>x</script> words"))
    assert "<script>" not in diff
    assert "&lt;script&gt;" in diff


def test_versions_of_different_policies_cannot_be_compared():
    a = publish_policy(title="Policy A")
    b = publish_policy(title="Policy B")
    with pytest.raises(PolicyComparisonError):
        policy_version_compare(old=a.current_version, new=b.current_version)


class TestChangesPage:
    def test_shows_highlighted_changes(self, client, learner, comparison):
        client.force_login(learner)
        response = client.get("/policies/standards/changes/1.0/2.0/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "New section" in html and "Section removed" in html
        assert "Renamed from “Timing”" in html
        assert "<del>one</del> <ins>four</ins>" in html
        assert "Moved from position 3 to 1" in html

    @pytest.mark.parametrize(
        "url",
        [
            "/policies/standards/changes/1.0/7.0/",
            "/policies/standards/changes/one/2.0/",
            "/policies/standards/changes/1.0/2/",
            "/policies/no-such-policy/changes/1.0/2.0/",
        ],
    )
    def test_unknown_labels_and_policies_are_404(self, client, learner, comparison, url):
        client.force_login(learner)
        assert client.get(url).status_code == 404

    def test_a_label_only_another_policy_has_is_404(self, client, learner, comparison):
        other = publish_policy(title="Other")
        revise(
            other,
            kind=ChangeKind.MATERIAL,
            summary="x",
            days=5,
            sections=[section("a", "A", "changed")],
        )
        revise(
            other,
            kind=ChangeKind.MATERIAL,
            summary="y",
            days=5,
            sections=[section("a", "A", "changed again")],
        )
        client.force_login(learner)
        assert client.get("/policies/other/changes/1.0/3.0/").status_code == 200
        assert client.get("/policies/standards/changes/1.0/3.0/").status_code == 404
