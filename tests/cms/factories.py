"""Builders for the policy library: real pages, published through Wagtail."""

from wagtail.models import Page

from cms.models import HomePage, PolicyIndexPage, PolicyPage


def section(key: str, heading: str, body: str) -> tuple:
    return ("section", {"key": key, "heading": heading, "body": f"<p>{body}</p>"})


DEFAULT_SECTIONS = [
    section("returns-window", "The returns window", "Customers may return items within 30 days."),
    section("refund-method", "How refunds are paid", "Refund to the original payment method."),
    section("store-credit", "Store credit", "Agents may offer store credit up to £50."),
]


def policy_index() -> PolicyIndexPage:
    index = PolicyIndexPage.objects.first()
    if index is None:
        home = HomePage.objects.first() or Page.get_first_root_node()
        index = PolicyIndexPage(title="Policies", slug="policies")
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def publish_policy(title="Refunds", slug=None, summary="When refunds are given.", sections=None):
    """Create and publish a policy: version 1.0."""
    policy = PolicyPage(
        title=title,
        slug=slug or title.lower().replace(" ", "-"),
        summary=summary,
        sections=DEFAULT_SECTIONS if sections is None else sections,
    )
    policy_index().add_child(instance=policy)
    policy.save_revision().publish()
    return PolicyPage.objects.get(pk=policy.pk)


def revise(policy, *, kind, summary="", days=None, sections=None, title=None, user=None):
    """Publish a new revision of a policy as an editor would."""
    policy = PolicyPage.objects.get(pk=policy.pk)
    if sections is not None:
        policy.sections = sections
    if title is not None:
        policy.title = title
    policy.change_kind = kind
    policy.change_summary = summary
    policy.recertification_days = days
    policy.save_revision(user=user).publish(user=user)
    return PolicyPage.objects.get(pk=policy.pk)
