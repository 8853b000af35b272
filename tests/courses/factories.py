"""Builders for courses: real pages with real StreamField bodies, published through Wagtail."""

from courses.demo import check, heading
from courses.models import CourseIndexPage, CoursePage, ModulePage
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
