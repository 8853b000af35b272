"""Reads behind the policy pages, each a fixed number of queries."""

from cms.models import PolicyAcknowledgement, PolicyPage, PolicyVersion


def policy_get_live(*, slug: str) -> PolicyPage | None:
    return PolicyPage.objects.live().filter(slug=slug).first()


def policy_history(*, policy: PolicyPage, user) -> dict:
    """Every version, newest first, with the person's own acknowledgements beside them."""
    versions = list(
        PolicyVersion.objects.filter(policy=policy)
        .select_related("published_by")
        .newest_first()
        .defer("sections")
    )
    acknowledged = {
        ack.version_id: ack
        for ack in PolicyAcknowledgement.objects.filter(user=user, version__policy=policy)
    }
    rows = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        rows.append(
            {"version": version, "previous": previous, "acknowledged": acknowledged.get(version.pk)}
        )
    return {"policy": policy, "rows": rows, "current": versions[0] if versions else None}
