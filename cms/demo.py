"""Demo policy library for Harbourside Home Goods, written for this project."""

import datetime

from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Page,
    Revision,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.choices import ChangeKind
from cms.models import (
    HomePage,
    PolicyAcknowledgement,
    PolicyIndexPage,
    PolicyPage,
    PolicyVersion,
)
from cms.services import policy_acknowledge

# The library went live this many days ago: before anyone in the demo trained on it.
FIRST_PUBLISHED_DAYS_AGO = 760


def p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def ul(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


POLICIES = [
    {
        "slug": "customer-service-standards",
        "title": "Customer Service Standards",
        "summary": (
            "How we speak to customers, how quickly we answer them and how we behave while "
            "we do it. Every other customer-service policy builds on these standards."
        ),
        "sections": [
            (
                "greeting-and-identification",
                "Greeting and introducing yourself",
                p(
                    "Open every conversation with a greeting, your first name and the company "
                    "name. On the phone, answer within three rings once the call reaches you.",
                    "Use the customer's name once you know it, and ask how they prefer to be "
                    "addressed if it is unclear.",
                ),
            ),
            (
                "plain-language",
                "Plain, respectful language",
                p(
                    "Explain things in everyday words. Avoid internal codes, system names and "
                    "jargon; if you must use a term, say what it means.",
                    "Never blame the customer, a colleague or another team. Say what you will "
                    "do, not what cannot be done.",
                ),
            ),
            (
                "response-times",
                "Response times",
                ul(
                    "Phone: answered within 60 seconds of joining the queue on 80% of calls.",
                    "Live chat: first reply within 2 minutes.",
                    "Email and web forms: a personal reply within one working day.",
                    "Social media messages: a reply within 4 working hours.",
                ),
            ),
            (
                "ownership",
                "Owning the outcome",
                p(
                    "The person who takes the contact owns it until it is resolved or handed "
                    "over. A handover is warm: you brief the colleague and tell the customer who "
                    "will contact them and by when."
                ),
            ),
            (
                "professional-conduct",
                "Professional conduct",
                p(
                    "Stay calm and courteous even when a customer is not. You may end a call or "
                    "chat after one clear warning if the customer is abusive; record the reason "
                    "in the contact notes."
                ),
            ),
        ],
    },
    {
        "slug": "refunds-and-returns",
        "title": "Refunds and Returns",
        "summary": (
            "When customers can return goods, how refunds are paid and what staff may approve "
            "on their own authority."
        ),
        "sections": [
            (
                "returns-window",
                "The returns window",
                p(
                    "Customers may return most items within 30 days of delivery for a full "
                    "refund, provided the item is unused and in its original packaging."
                ),
            ),
            (
                "faulty-goods",
                "Faulty goods",
                p(
                    "A faulty item can be returned at any time within 12 months of delivery. "
                    "Offer a repair, replacement or refund, in the order the customer prefers."
                ),
            ),
            (
                "refund-method",
                "How refunds are paid",
                p(
                    "Refund to the original payment method within 5 working days of receiving "
                    "the return. Never refund to a different card or account."
                ),
            ),
            (
                "outside-the-window",
                "Requests outside the window",
                p(
                    "Outside the 30 days, agents may offer store credit up to £50 for unused "
                    "items. Anything more needs a team lead's approval, recorded on the case."
                ),
            ),
            (
                "non-returnable",
                "Items that cannot be returned",
                ul(
                    "Made-to-measure furniture and cut fabrics.",
                    "Mattresses and bedding once the hygiene seal is broken.",
                    "Gift cards.",
                ),
            ),
        ],
        "revisions": [
            {
                "kind": ChangeKind.EDITORIAL,
                "summary": "Clarified wording on packaging; no change to what staff do.",
                "days_ago": 640,
                "edit": {
                    "returns-window": p(
                        "Customers may return most items within 30 days of delivery for a full "
                        "refund, provided the item is unused and comes back in its original "
                        "packaging or packaging that protects it equally well."
                    )
                },
            },
            {
                "kind": ChangeKind.MATERIAL,
                "summary": (
                    "The returns window is now 45 days, and agents may approve store credit "
                    "up to £75 outside it."
                ),
                "days": 30,
                "days_ago": 10,
                "edit": {
                    "returns-window": p(
                        "Customers may return most items within 45 days of delivery for a "
                        "full refund, provided the item is unused and comes back in its "
                        "original packaging or packaging that protects it equally well."
                    ),
                    "outside-the-window": p(
                        "Outside the 45 days, agents may offer store credit up to £75 for "
                        "unused items. Anything more needs a team lead's approval, recorded "
                        "on the case with the reason."
                    ),
                },
            },
        ],
    },
    {
        "slug": "complaints-handling",
        "title": "Complaints Handling",
        "summary": (
            "Any expression of dissatisfaction that the customer wants us to act on is a "
            "complaint. We acknowledge, investigate, respond and escalate within fixed times."
        ),
        "sections": [
            (
                "recognise-a-complaint",
                "Recognising a complaint",
                p(
                    "A complaint does not need the word “complaint”. If the customer is unhappy "
                    "with us and wants something done, log it as a complaint."
                ),
            ),
            (
                "acknowledge",
                "Acknowledge within one working day",
                p(
                    "Log the complaint in the case system and acknowledge it within one working "
                    "day, giving the case number and the name of the person handling it."
                ),
            ),
            (
                "investigate",
                "Investigate",
                p(
                    "Gather the order history, contact notes and any photos. Speak to the teams "
                    "involved. Keep notes factual and free of opinions about the customer."
                ),
            ),
            (
                "respond",
                "Respond within ten working days",
                p(
                    "Send a written final response within ten working days explaining what "
                    "happened, what we will do, and how the customer can take it further."
                ),
            ),
            (
                "escalate",
                "Escalation",
                p(
                    "Escalate to a team lead the same day if the customer mentions safety, legal "
                    "action, the press, or vulnerability, or if the complaint cannot be answered "
                    "within ten working days."
                ),
            ),
        ],
        # Written by the trainer after the complaints review and saved, not yet published:
        # publishing it in the demo starts the whole policy-change workflow.
        "draft": {
            "kind": ChangeKind.MATERIAL,
            "summary": (
                "Final responses now go out within eight working days instead of ten, and a "
                "customer whose complaint is still open hears from us at least every five "
                "working days."
            ),
            "days": 30,
            "days_ago": 1,
            "edit": {
                "respond": p(
                    "Send a written final response within eight working days explaining what "
                    "happened, what we will do, and how the customer can take it further."
                ),
                "escalate": p(
                    "Escalate to a team lead the same day if the customer mentions safety, legal "
                    "action, the press, or vulnerability, or if the complaint cannot be answered "
                    "within eight working days."
                ),
            },
            "headings": {"respond": "Respond within eight working days"},
            "add": [
                (
                    "keep-the-customer-updated",
                    "Keep the customer updated",
                    p(
                        "While a complaint is open, tell the customer where it stands at least "
                        "every five working days, even when there is nothing new, and note each "
                        "update on the case."
                    ),
                ),
            ],
        },
    },
    {
        "slug": "privacy-in-customer-conversations",
        "title": "Privacy in Customer Conversations",
        "summary": (
            "How we confirm who we are speaking to and what we never disclose, so that "
            "customers' personal data stays with them."
        ),
        "sections": [
            (
                "identity-check",
                "Checking identity",
                p(
                    "Before discussing an account, confirm the customer's full name plus two of: "
                    "postcode, email address on the account, or the last order number. Never "
                    "accept a partial match."
                ),
            ),
            (
                "third-parties",
                "Family members and other third parties",
                p(
                    "Do not discuss an account with anyone but the account holder, even a family "
                    "member, unless the account holder has added them as an authorised contact."
                ),
            ),
            (
                "never-disclose",
                "What we never disclose",
                ul(
                    "Full card numbers or security codes (we do not hold them).",
                    "Passwords, or whether an email address has an account with us.",
                    "Another customer's address, orders or contact details.",
                ),
            ),
            (
                "data-requests",
                "Requests for personal data",
                p(
                    "A customer asking for a copy of their data or for deletion is making a data "
                    "request. Pass it to the privacy team the same day using the data-request "
                    "form; do not try to fulfil it yourself."
                ),
            ),
        ],
        "revisions": [
            {
                "kind": ChangeKind.EDITORIAL,
                "summary": "Made the identity check easier to follow.",
                "days_ago": 600,
                "edit": {
                    "identity-check": p(
                        "Before discussing an account, confirm the customer's full name and two of "
                        "the following: the postcode, the email address on the account, or the "
                        "last order number. Never accept a partial match."
                    )
                },
            },
        ],
    },
]


def _stream(sections):
    return [
        ("section", {"key": key, "heading": heading, "body": body})
        for key, heading, body in sections
    ]


def _revisions(spec, *, held_back: bool) -> list[dict]:
    """A policy's revisions: all of them, or, for a policy whose material change the demo
    publishes later, those before it (``held_back=False``) or it alone (``True``)."""
    revisions = spec.get("revisions", [])
    last = revisions[-1:] if revisions and revisions[-1]["kind"] == ChangeKind.MATERIAL else []
    return last if held_back else revisions[: len(revisions) - len(last)]


def seed_policies(*, home: HomePage, hr_group, hold_back: tuple[str, ...] = ()) -> PolicyIndexPage:
    """Publish the demo policies with their revisions, except the final material revision
    of the policies named in ``hold_back`` (see seed_held_back_revisions)."""
    index = PolicyIndexPage.objects.first()
    if index is None:  # removed by someone since the migration made it
        index = PolicyIndexPage(title="Policies", slug="policies")
        home.add_child(instance=index)
        index.save_revision().publish()
    _seed_review_workflow(index, hr_group)

    for spec in POLICIES:
        if PolicyPage.objects.filter(slug=spec["slug"]).exists():
            continue
        policy = PolicyPage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            sections=_stream(spec["sections"]),
        )
        index.add_child(instance=policy)
        policy.save_revision().publish()
        revisions = (
            _revisions(spec, held_back=False)
            if spec["slug"] in hold_back
            else spec.get("revisions", [])
        )
        _publish_revisions(policy, spec, revisions)
        _date_history(policy, [FIRST_PUBLISHED_DAYS_AGO] + [r["days_ago"] for r in revisions])
    return index


def _date_history(policy: PolicyPage, days_ago: list[int]) -> None:
    """Give the versions just published the days they took effect, oldest first, so the
    library's history comes before the training that quotes it. A queryset update:
    invented history, which no editor's action could produce."""
    now = timezone.now()
    versions = policy.versions.order_by("major", "minor")
    for version, days in zip(versions, days_ago, strict=True):
        when = now - datetime.timedelta(days=days)
        PolicyVersion.objects.filter(pk=version.pk).update(effective_at=when, published_at=when)
        # The editor takes the newest revision by date as the latest: keep them in order.
        Revision.objects.filter(pk=version.revision_id).update(created_at=when)


def _sections_after(spec, revisions) -> list:
    sections = list(spec["sections"])
    for revision in revisions:
        sections = [
            (key, heading, revision["edit"].get(key, body)) for key, heading, body in sections
        ]
    return sections


def _publish_revisions(policy: PolicyPage, spec, revisions, *, done=()) -> None:
    for n, revision in enumerate(revisions):
        policy = PolicyPage.objects.get(pk=policy.pk)
        policy.sections = _stream(_sections_after(spec, [*done, *revisions[: n + 1]]))
        policy.change_kind = revision["kind"]
        policy.change_summary = revision["summary"]
        policy.recertification_days = revision.get("days")
        policy.save_revision().publish()


def held_back_published(*, slugs: tuple[str, ...]) -> bool:
    """Whether an earlier run already published the held-back revisions."""
    for spec in POLICIES:
        later = _revisions(spec, held_back=True)
        if spec["slug"] in slugs and later:
            return PolicyVersion.objects.filter(
                policy__slug=spec["slug"], change_summary=later[0]["summary"]
            ).exists()
    return False


def seed_held_back_revisions(*, slugs: tuple[str, ...]) -> list:
    """Publish the material revisions seed_policies held back, once; returns the new
    policy versions."""
    published = []
    for spec in POLICIES:
        if spec["slug"] not in slugs:
            continue
        policy = PolicyPage.objects.get(slug=spec["slug"])
        later = _revisions(spec, held_back=True)
        if not later or policy.versions.filter(change_summary=later[0]["summary"]).exists():
            continue
        _publish_revisions(policy, spec, later, done=_revisions(spec, held_back=False))
        published.append(policy.current_version)
    return published


def seed_draft_revisions(*, by) -> int:
    """Save each policy's unpublished draft as ``by`` wrote it, dated its ``days_ago``, once;
    returns how many drafts were saved. A draft already saved, or one published since, is
    left alone."""
    saved = 0
    for spec in POLICIES:
        draft = spec.get("draft")
        if draft is None:
            continue
        policy = PolicyPage.objects.get(slug=spec["slug"])
        if policy.versions.filter(change_summary=draft["summary"]).exists():
            continue
        latest = policy.get_latest_revision()
        if latest is not None and latest.content.get("change_summary") == draft["summary"]:
            continue
        policy = policy.get_latest_revision_as_object()
        sections = [
            (key, draft.get("headings", {}).get(key, heading), draft["edit"].get(key, body))
            for key, heading, body in _sections_after(spec, spec.get("revisions", []))
        ]
        policy.sections = _stream([*sections, *draft.get("add", [])])
        policy.change_kind = draft["kind"]
        policy.change_summary = draft["summary"]
        policy.recertification_days = draft.get("days")
        revision = policy.save_revision(user=by, log_action=True)
        when = timezone.now() - datetime.timedelta(days=draft["days_ago"])
        # Invented history, as in _date_history.
        Revision.objects.filter(pk=revision.pk).update(created_at=when)
        PolicyPage.objects.filter(pk=policy.pk).update(latest_revision_created_at=when)
        saved += 1
    return saved


def seed_acknowledgements(*, user, except_latest_of: tuple[str, ...] = ()) -> None:
    """The person has acknowledged every policy; for those named, only the version before.
    Each is dated a few days after the later of the version taking effect and the person
    starting, as if read then, not on the day the demo was seeded."""
    employee = getattr(user, "employee", None)
    hired = getattr(employee, "hire_date", None)
    started = (
        timezone.make_aware(datetime.datetime.combine(hired, datetime.time(10))) if hired else None
    )
    for policy in PolicyPage.objects.live():
        versions = list(policy.versions.newest_first())
        target = versions[0]
        if policy.slug in except_latest_of:
            older = [v for v in versions if v.major < target.major]
            if not older:
                continue
            target = older[0]
        acknowledgement = policy_acknowledge(user=user, version=target)
        read_on = max(filter(None, [target.effective_at, started])) + datetime.timedelta(days=3)
        read_on = min(read_on, timezone.now())
        # Invented history, as in _date_history: no reader's action could produce it.
        PolicyAcknowledgement.objects.filter(pk=acknowledgement.pk).update(acknowledged_at=read_on)


def _seed_review_workflow(index: Page, hr_group) -> None:
    """Policies published by trainers go through HR's compliance review first."""
    workflow, _ = Workflow.objects.get_or_create(name="Compliance review")
    if not workflow.workflow_tasks.exists():
        task, _ = GroupApprovalTask.objects.get_or_create(name="Compliance sign-off")
        task.groups.set([hr_group])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
