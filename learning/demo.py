"""The demo organisation: a mid-sized home-goods retailer's customer-service team."""

import datetime
from pathlib import Path

from django.core.files.images import ImageFile
from wagtail.images import get_image_model

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - development-only logins, listed in the README

ORGANISATION_NAME = "Harbourside Home Goods"
LOGO_FILE = Path(__file__).resolve().parent / "demo_files" / "harbourside-logo.png"
LOGO_TITLE = "Harbourside Home Goods logo"


def organisation_logo():
    """The demo's logo as a Wagtail image, stored once."""
    Image = get_image_model()
    image = Image.objects.filter(title=LOGO_TITLE).first()
    if image is None:
        with LOGO_FILE.open("rb") as handle:
            image = Image(title=LOGO_TITLE, file=ImageFile(handle, name=LOGO_FILE.name))
            image.save()
    return image


DEPARTMENTS = ("Customer Support", "Returns and Billing", "People and Compliance")
JOB_ROLES = (
    "Customer Service Agent",
    "Senior Agent",
    "Team Lead",
    "Support Manager",
    "Learning and Development Specialist",
    "HR Partner",
)
LOCATIONS = ("Bristol contact centre", "Leeds contact centre", "Remote")

# (employee number, first, last, email, department, job role, location, manager number,
#  days since hire, groups, may sign in)
PEOPLE = (
    (
        "HG-1001",
        "Priya",
        "Raman",
        "hr@example.com",
        "People and Compliance",
        "HR Partner",
        "Bristol contact centre",
        "",
        2200,
        ("HR",),
        True,
    ),
    (
        "HG-1002",
        "Tom",
        "Okafor",
        "trainer@example.com",
        "People and Compliance",
        "Learning and Development Specialist",
        "Remote",
        "HG-1001",
        1500,
        ("Trainers",),
        True,
    ),
    (
        "HG-1003",
        "Grace",
        "Whitfield",
        "manager@example.com",
        "Customer Support",
        "Support Manager",
        "Bristol contact centre",
        "",
        1900,
        ("Managers", "Learners"),
        True,
    ),
    (
        "HG-1004",
        "Daniel",
        "Kowalski",
        "",
        "Customer Support",
        "Team Lead",
        "Bristol contact centre",
        "HG-1003",
        1200,
        ("Managers", "Learners"),
        False,
    ),
    (
        "HG-1005",
        "Amara",
        "Nwosu",
        "agent@example.com",
        "Customer Support",
        "Customer Service Agent",
        "Bristol contact centre",
        "HG-1004",
        540,
        ("Learners",),
        True,
    ),
    (
        "HG-1006",
        "Leo",
        "Fernandes",
        "newhire@example.com",
        "Customer Support",
        "Customer Service Agent",
        "Bristol contact centre",
        "HG-1004",
        0,
        ("Learners",),
        True,
    ),
    (
        "HG-1007",
        "Sofia",
        "Marchetti",
        "",
        "Customer Support",
        "Customer Service Agent",
        "Bristol contact centre",
        "HG-1004",
        300,
        ("Learners",),
        False,
    ),
    (
        "HG-1008",
        "Hamza",
        "Iqbal",
        "",
        "Customer Support",
        "Senior Agent",
        "Bristol contact centre",
        "HG-1004",
        980,
        ("Learners",),
        False,
    ),
    (
        "HG-1009",
        "Chloe",
        "Bennett",
        "",
        "Customer Support",
        "Team Lead",
        "Leeds contact centre",
        "HG-1003",
        1400,
        ("Managers", "Learners"),
        False,
    ),
    (
        "HG-1010",
        "Kwame",
        "Mensah",
        "",
        "Customer Support",
        "Customer Service Agent",
        "Leeds contact centre",
        "HG-1009",
        200,
        ("Learners",),
        False,
    ),
    (
        "HG-1011",
        "Ellie",
        "Thompson",
        "",
        "Customer Support",
        "Customer Service Agent",
        "Leeds contact centre",
        "HG-1009",
        90,
        ("Learners",),
        False,
    ),
    (
        "HG-1012",
        "Rhys",
        "Evans",
        "",
        "Customer Support",
        "Customer Service Agent",
        "Remote",
        "HG-1009",
        45,
        ("Learners",),
        False,
    ),
    (
        "HG-1013",
        "Mei",
        "Chen",
        "",
        "Customer Support",
        "Senior Agent",
        "Leeds contact centre",
        "HG-1009",
        760,
        ("Learners",),
        False,
    ),
    (
        "HG-1014",
        "Oliver",
        "Hughes",
        "",
        "Returns and Billing",
        "Support Manager",
        "Leeds contact centre",
        "",
        1700,
        ("Managers", "Learners"),
        False,
    ),
    (
        "HG-1015",
        "Fatima",
        "Begum",
        "",
        "Returns and Billing",
        "Team Lead",
        "Leeds contact centre",
        "HG-1014",
        1100,
        ("Managers", "Learners"),
        False,
    ),
    (
        "HG-1016",
        "Jack",
        "Doyle",
        "",
        "Returns and Billing",
        "Customer Service Agent",
        "Leeds contact centre",
        "HG-1015",
        400,
        ("Learners",),
        False,
    ),
    (
        "HG-1017",
        "Nadia",
        "Haddad",
        "",
        "Returns and Billing",
        "Customer Service Agent",
        "Remote",
        "HG-1015",
        150,
        ("Learners",),
        False,
    ),
    (
        "HG-1018",
        "Ben",
        "Carter",
        "",
        "Returns and Billing",
        "Senior Agent",
        "Leeds contact centre",
        "HG-1015",
        850,
        ("Learners",),
        False,
    ),
    (
        "HG-1019",
        "Zara",
        "Ahmed",
        "",
        "Returns and Billing",
        "Customer Service Agent",
        "Bristol contact centre",
        "HG-1015",
        20,
        ("Learners",),
        False,
    ),
    (
        "HG-1020",
        "Marcus",
        "Reid",
        "",
        "Customer Support",
        "Customer Service Agent",
        "Bristol contact centre",
        "HG-1004",
        640,
        ("Learners",),
        False,
    ),
)


def demo_email(number: str, first: str, last: str, email: str) -> str:
    return email or f"{first}.{last}@example.com".lower()


def hire_date(today: datetime.date, days_ago: int) -> datetime.date:
    return today - datetime.timedelta(days=days_ago)


# (course slug, department, job role, location); empty means "any"
ASSIGNMENT_RULES = (
    ("complaint-handling-and-de-escalation", "", "Customer Service Agent", ""),
    ("complaint-handling-and-de-escalation", "", "Senior Agent", ""),
    ("refunds-done-right", "Returns and Billing", "", ""),
    ("privacy-in-every-conversation", "Customer Support", "", ""),
)


# Who finished which course how many days ago: months of completions, so that the
# compliance matrix and its twelve-month chart have a story to tell.
COMPLETIONS = (
    ("HG-1016", "refunds-done-right", 240),
    ("HG-1018", "refunds-done-right", 205),
    ("HG-1014", "refunds-done-right", 180),
    ("HG-1015", "refunds-done-right", 150),
    ("HG-1017", "refunds-done-right", 75),
    ("HG-1008", "privacy-in-every-conversation", 280),
    ("HG-1009", "privacy-in-every-conversation", 250),
    ("HG-1003", "privacy-in-every-conversation", 230),
    ("HG-1013", "privacy-in-every-conversation", 210),
    ("HG-1007", "privacy-in-every-conversation", 160),
    ("HG-1004", "privacy-in-every-conversation", 100),
    ("HG-1020", "privacy-in-every-conversation", 60),
    ("HG-1013", "complaint-handling-and-de-escalation", 180),
    ("HG-1008", "complaint-handling-and-de-escalation", 130),
    ("HG-1010", "complaint-handling-and-de-escalation", 120),
    ("HG-1018", "complaint-handling-and-de-escalation", 95),
    ("HG-1020", "complaint-handling-and-de-escalation", 40),
    # The support manager took the complaints course to coach her team leads on escalations.
    ("HG-1003", "complaint-handling-and-de-escalation", 150),
)

# The assignment rules went live this many days ago; people hired since were assigned
# their courses on the day they joined.
RULES_LIVE_DAYS = 300
