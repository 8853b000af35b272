"""Builders for courses: real pages with real StreamField bodies, published through Wagtail."""

from courses.choices import Competency
from courses.demo import check, heading
from courses.models import CourseIndexPage, CoursePage, ModulePage, ScenarioPage
from tests.cms.factories import publish_policy


def text(html: str) -> dict:
    return {"type": "text", "value": html}


def excerpt(policy, key: str) -> dict:
    return {"type": "policy_excerpt", "value": {"policy": policy.pk, "section_key": key}}


WINDOW_CHECK = check(
    "A customer asks to return an unopened kettle after 20 days. What do you do?",
    ("Accept the return: it is inside the window.", True, "Yes: 20 days is within 30."),
    ("Refuse: returns need a manager.", False, "No manager is needed inside the window."),
    ("Offer store credit only.", False, "Inside the window the refund is their right."),
)


def catalogue() -> CourseIndexPage:
    return CourseIndexPage.objects.get()


def make_course(
    title="Refunds Done Right", *, policies=(), modules=None, publish=True, **fields
) -> CoursePage:
    """A course with modules; ``modules`` is a list of (title, body) pairs."""
    fields.setdefault("summary", f"What every agent needs to know: {title.lower()}.")
    course = CoursePage(title=title, slug=title.lower().replace(" ", "-"), **fields)
    catalogue().add_child(instance=course)
    course.policies.set(policies)
    revision = course.save_revision()
    if publish:
        revision.publish()
    if modules is None:
        modules = [("Welcome", [text("<p>Why this matters.</p>")])]
    for module_title, body in modules:
        add_module(course, module_title, body)
    return CoursePage.objects.get(pk=course.pk)


def add_module(course, title, body, *, publish=True) -> ModulePage:
    module = ModulePage(title=title, slug=title.lower().replace(" ", "-"), body=body, live=publish)
    course.add_child(instance=module)
    revision = module.save_revision()
    if publish:
        revision.publish()
    return ModulePage.objects.get(pk=module.pk)


def refunds_course(**fields) -> tuple[CoursePage, object]:
    """A two-module course quoting the default test policy, with one knowledge check."""
    policy = publish_policy()
    course = make_course(
        policies=[policy],
        modules=[
            ("The window", [text("<p>Thirty days.</p>"), excerpt(policy, "returns-window")]),
            ("Check yourself", [heading("A quick check"), WINDOW_CHECK]),
        ],
        **fields,
    )
    return course, policy


def choice(line: str, to: str, *, feedback: str = "", policy=None, section: str = "", **kw):
    """A scenario choice; ``kw`` holds competency points and ``mood``."""
    return {
        "line": line,
        "feedback": feedback or f"Feedback on “{line}”.",
        "scores": {c: kw.get(c, 0) for c in Competency.values},
        "mood_change": kw.get("mood", 0),
        "policy": policy.pk if policy else None,
        "section_key": section,
        "next_step": to,
    }


def scene(key: str, customer: str, *choices, outcome: str = "", debrief: str = "") -> dict:
    return {
        "type": "step",
        "value": {
            "key": key,
            "customer_line": customer,
            "narration": "",
            "choices": list(choices),
            "outcome": outcome,
            "debrief": debrief,
        },
    }


def refund_steps(policy=None) -> list[dict]:
    """A short refund role-play: one good route, one poor one, three endings."""
    return [
        scene(
            "opening",
            "I bought this kettle six weeks ago and it has stopped working.",
            choice(
                "I'm sorry to hear that. Let me look at what we can do.",
                "offer",
                communication=2,
                de_escalation=1,
                mood=1,
            ),
            choice(
                "That's outside the window, there's nothing I can do.",
                "angry",
                communication=-2,
                mood=-2,
                policy=policy,
                section="store-credit" if policy else "",
            ),
        ),
        scene(
            "offer",
            "So can I have my money back?",
            choice("I can offer store credit today.", "credit", policy_compliance=2, mood=1),
            choice("Sure, I'll refund it in full.", "breach", policy_compliance=-3),
        ),
        scene(
            "angry",
            "That's ridiculous. I want a manager.",
            choice("I'll pass you to my team leader now.", "escalated", de_escalation=1),
            choice("A manager will say the same.", "lost", de_escalation=-2, mood=-2),
        ),
        scene("credit", "Fine, store credit works.", outcome="resolved", debrief="Well handled."),
        scene("breach", "Great, thanks!", outcome="policy_breached", debrief="Outside policy."),
        scene("escalated", "Thank you.", outcome="escalated", debrief="A fair escalation."),
        scene("lost", "I'm never shopping here again.", outcome="customer_lost", debrief="Lost."),
    ]


def make_scenario(course, title="The late refund", *, steps=None, publish=True, **fields):
    fields.setdefault("brief", "A customer calls about a broken kettle bought six weeks ago.")
    fields.setdefault("persona_name", "Sam")
    fields.setdefault("persona_wants", "Their money back.")
    scenario = ScenarioPage(
        title=title,
        slug=title.lower().replace(" ", "-"),
        steps=refund_steps() if steps is None else steps,
        **fields,
    )
    course.add_child(instance=scenario)
    revision = scenario.save_revision()
    if publish:
        revision.publish()
    return ScenarioPage.objects.get(pk=scenario.pk)
