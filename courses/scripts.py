"""Role-play scripts: a published scenario frozen as the script its runs play, written
for the policy versions current when it was published, and the script a course plays."""

from django.db import transaction

from assessments.services import revision_holds
from cms.models import PolicyVersion
from courses.models import ScenarioPage, ScenarioScript


@transaction.atomic
def scenario_script_current(*, scenario: ScenarioPage) -> ScenarioScript:
    """The script of the scenario as it is published now, made the first time it is asked
    for (when the scenario is published, or first played) and recorded as written for
    the current version of each policy it exercises or its replies cite. The page row
    holds the live content; drafts live only in revisions."""
    # A page made live in code without a revision has none; its row is still the content.
    revision_id = scenario.live_revision_id or 0
    script = ScenarioScript.objects.filter(scenario=scenario, revision_id=revision_id).first()
    if script is not None:
        return script
    rule = scenario.pass_rule()
    graph = scenario.graph()
    script, created = ScenarioScript.objects.get_or_create(
        scenario=scenario,
        revision_id=revision_id,
        defaults={
            "title": scenario.title,
            "brief": scenario.brief,
            "persona_name": scenario.persona_name,
            "persona_wants": scenario.persona_wants,
            "starting_mood": scenario.starting_mood,
            "steps": graph.to_data(),
            "pass_rule": {
                "min_total": rule.min_total,
                "competency_minimums": rule.competency_minimums,
                "required_outcomes": list(rule.required_outcomes),
            },
        },
    )
    if created:
        policy_ids = {policy.pk for policy in scenario.policies.all()}
        policy_ids |= {
            choice.policy_id for step in graph.steps for choice in step.choices if choice.policy_id
        }
        script.policy_versions.set(PolicyVersion.objects.current_for(policy_ids).values())
    return script


class ScenarioNotReady(Exception):
    """No script of a role-play was written for the policy versions its course teaches;
    the message says which."""


def scenario_script_for_course(*, scenario: ScenarioPage, pinned: dict) -> ScenarioScript:
    """The script a course plays: the newest one (by the revision it was made from) that
    holds for the policy versions the course is pinned to (``pinned``, by policy id; a
    policy the course does not pin is taken at its current version). A script holds when,
    for each policy it was written for, one of its versions of that policy holds as a
    question revision's would (the same major version, or a change that rewords none of
    the sections its replies cite).

    Raises ScenarioNotReady when none does: the role-play has only been written for
    versions the course does not teach yet. Four queries, however many scripts."""
    current = scenario_script_current(scenario=scenario)
    scripts = list(
        scenario.scripts.prefetch_related("policy_versions").order_by("-revision_id", "-pk")
    )
    written = {version.policy_id for script in scripts for version in script.policy_versions.all()}
    target = {policy_id: pinned[policy_id] for policy_id in written if policy_id in pinned}
    if written - set(target):
        target |= PolicyVersion.objects.current_for(written - set(target))
    memo: dict = {}
    for script in scripts:
        by_policy: dict[int, list] = {}
        for version in script.policy_versions.all():
            by_policy.setdefault(version.policy_id, []).append(version)
        if all(
            any(
                revision_holds(
                    version,
                    target.get(policy_id),
                    script.cited_sections(policy_id),
                    memo=memo,
                )
                for version in versions
            )
            for policy_id, versions in by_policy.items()
        ):
            return script
    newest = next((script for script in scripts if script.pk == current.pk), current)
    behind = sorted(
        {
            f"{target[v.policy_id].title} {target[v.policy_id].label}"
            for v in newest.policy_versions.all()
            if v.policy_id in target and target[v.policy_id].major != v.major
        }
    )
    raise ScenarioNotReady(
        "This role-play has not yet been written for "
        + (", ".join(behind) or "the policy versions this course teaches")
        + ", which this course teaches. It opens once its trainer updates the role-play "
        "or the course."
    )


@transaction.atomic
def scenario_script_confirm_for_version(*, scenario: ScenarioPage, version: PolicyVersion):
    """A trainer's word that the role-play as published still holds under ``version`` of
    one of its policies: its current script is recorded as written for that version too."""
    script = scenario_script_current(scenario=scenario)
    script.policy_versions.add(version)
    return script
