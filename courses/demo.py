"""Demo courses for the Harbourside team: onboarding plus three focused courses."""

import datetime
import io

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils.text import slugify
from PIL import Image as PillowImage
from PIL import ImageDraw, ImageFont
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import PageLogEntry, Revision

from certificates.pdf import render_pdf
from cms.models import HomePage, PolicyPage
from courses.demo_scenarios import REFUND_SLUG, as_first_written, scenario_specs
from courses.models import (
    CourseIndexPage,
    CoursePage,
    ModulePage,
    ScenarioPage,
    ScenarioScript,
)

CALL_FLOW_TITLE = "The four steps of a good contact"
JOB_AID_TITLE = "Contact checklist (one page)"
VIDEO_URL = "https://www.ted.com/talks/julian_treasure_how_to_speak_so_that_people_want_to_listen"


def text(*paragraphs: str) -> dict:
    return {"type": "text", "value": "".join(f"<p>{p}</p>" for p in paragraphs)}


def bullets(intro: str, *items: str) -> dict:
    listed = "".join(f"<li>{item}</li>" for item in items)
    return {"type": "text", "value": f"<p>{intro}</p><ul>{listed}</ul>"}


def heading(words: str) -> dict:
    return {"type": "heading", "value": words}


def quote(policy_slug: str, key: str) -> dict:
    policy = PolicyPage.objects.get(slug=policy_slug)
    return {"type": "policy_excerpt", "value": {"policy": policy.pk, "section_key": key}}


def callout(words: str, title: str = "Key behaviour") -> dict:
    return {"type": "callout", "value": {"title": title, "text": f"<p>{words}</p>"}}


def dialogue(title: str, verdict: str, why: str, *lines: tuple[str, str]) -> dict:
    return {
        "type": "example_dialogue",
        "value": {
            "title": title,
            "lines": [{"speaker": speaker, "line": line} for speaker, line in lines],
            "verdict": verdict,
            "why": why,
        },
    }


def check(question: str, *options: tuple[str, bool, str]) -> dict:
    return {
        "type": "knowledge_check",
        "value": {
            "question": question,
            "options": [
                {"text": option, "correct": correct, "feedback": feedback}
                for option, correct, feedback in options
            ],
        },
    }


def _call_flow_image() -> Image:
    image = Image.objects.filter(title=CALL_FLOW_TITLE).first()
    if image is not None:
        return image
    canvas = PillowImage.new("RGB", (960, 260), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=26)
    small = ImageFont.load_default(size=18)
    draw.text((20, 16), CALL_FLOW_TITLE, fill="#1f2933", font=font)
    # Each caption is two short lines so it fits its box without breaking a word.
    steps = [
        ("1 Greet", "your name and", "the company"),
        ("2 Listen", "let them finish,", "note the facts"),
        ("3 Resolve", "act within policy", "or own it"),
        ("4 Confirm", "recap, next step,", "thank them"),
    ]
    for n, (title, *caption) in enumerate(steps):
        left = 20 + n * 238
        draw.rounded_rectangle((left, 70, left + 200, 210), radius=14, outline="#1d4ed8", width=4)
        draw.text((left + 18, 95), title, fill="#1f2933", font=font)
        for row, words in enumerate(caption):
            draw.text((left + 18, 145 + row * 25), words, fill="#52606d", font=small)
        if n < len(steps) - 1:
            draw.line((left + 204, 140, left + 226, 140), fill="#1d4ed8", width=4)
            draw.polygon([(left + 234, 140), (left + 224, 132), (left + 224, 148)], fill="#1d4ed8")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    image = Image(title=CALL_FLOW_TITLE, file=ImageFile(buffer, name="call-flow.png"))
    image.save()
    return image


def _job_aid() -> Document:
    document = Document.objects.filter(title=JOB_AID_TITLE).first()
    if document is not None:
        return document
    html = """
    <html><head><style>
      @page { size: A4; margin: 18mm; }
      body { font-family: 'DejaVu Sans', sans-serif; font-size: 11pt; color: #1f2933; }
      h1 { font-size: 18pt; color: #1d4ed8; } h2 { font-size: 13pt; margin-top: 14pt; }
      li { margin: 3pt 0; }
    </style></head><body>
      <h1>Harbourside contact checklist</h1>
      <h2>Open</h2><ul>
        <li>Greeting, your first name, Harbourside Home Goods.</li>
        <li>Before any account detail: full name plus two of postcode, account email,
            last order number.</li></ul>
      <h2>Listen</h2><ul>
        <li>Let the customer finish. Note dates, order numbers and what they want.</li>
        <li>Unhappy and wanting action? Log it as a complaint.</li></ul>
      <h2>Resolve</h2><ul>
        <li>Returns: inside the window, refund to the original payment method.</li>
        <li>Outside the window: store credit within your limit, or ask a team lead.</li>
        <li>Safety, legal action, the press or a vulnerable customer: escalate today.</li></ul>
      <h2>Close</h2><ul>
        <li>Recap what happens next, who does it and by when.</li>
        <li>Write factual notes; nothing about the customer's manner beyond what matters.</li>
      </ul></body></html>
    """
    document = Document(title=JOB_AID_TITLE)
    document.file.save("contact-checklist.pdf", ContentFile(render_pdf(html)))
    document.save()
    return document


def _essentials() -> dict:
    image, job_aid = _call_flow_image(), _job_aid()
    return {
        "title": "Customer Service Essentials",
        "slug": "customer-service-essentials",
        "summary": (
            "Your first week at Harbourside: how we greet, listen, resolve and close every "
            "contact, and the four policies behind it."
        ),
        "estimated_minutes": 75,
        "is_onboarding": True,
        "onboarding_due_days": 14,
        "default_due_days": 30,
        "certificate_validity_months": 12,
        "policies": [
            "customer-service-standards",
            "refunds-and-returns",
            "complaints-handling",
            "privacy-in-customer-conversations",
        ],
        "modules": [
            (
                "The shape of a good contact",
                "Every call, chat and email follows the same four steps.",
                [
                    text(
                        "Customers rarely remember the details of a contact that went well. "
                        "They remember whether they felt heard and whether the problem went "
                        "away. Our standards exist so that every customer gets that, whoever "
                        "answers."
                    ),
                    {
                        "type": "image",
                        "value": {
                            "image": image.pk,
                            "alt_text": "The four steps of a good contact, in boxes joined "
                            "by arrows: greet, listen, resolve, confirm.",
                            "decorative": False,
                        },
                    },
                    heading("Opening the conversation"),
                    quote("customer-service-standards", "greeting-and-identification"),
                    callout(
                        "Say your first name early. People are kinder to a person than to "
                        "a department."
                    ),
                    {"type": "video", "value": VIDEO_URL},
                    text(
                        "The talk linked above shows how pace, tone and silence change the way "
                        "people hear you. Notice how much of it applies on the phone."
                    ),
                    check(
                        "A call reaches you after the customer has waited in the queue. "
                        "What should your first sentence contain?",
                        (
                            "A greeting, your first name and the company name.",
                            True,
                            "It tells the customer they have reached the right place "
                            "and who is helping them.",
                        ),
                        (
                            "An apology for the wait, before anything else.",
                            False,
                            "An apology can come next, but the customer first needs to know "
                            "where they are and who you are.",
                        ),
                        (
                            "Their account number, so you can save time.",
                            False,
                            "Asking for data before introducing yourself feels abrupt, and "
                            "the identity check comes after the greeting.",
                        ),
                    ),
                ],
            ),
            (
                "Listening and plain language",
                "Find out what the customer needs, and answer in words they use.",
                [
                    text(
                        "Most escalations start with a customer who felt they were not "
                        "listened to. Let them finish, play back what you heard, then act."
                    ),
                    quote("customer-service-standards", "plain-language"),
                    dialogue(
                        "Explaining a delayed delivery",
                        "poor",
                        "The agent hides behind system language and blames another team. The "
                        "customer learns nothing they can act on.",
                        ("customer", "My sofa was meant to arrive on Tuesday. Where is it?"),
                        (
                            "staff",
                            "It's showing as RTS at the hub, so logistics will have to "
                            "re-manifest it. That's not something we control.",
                        ),
                    ),
                    dialogue(
                        "The same delay, explained well",
                        "good",
                        "Plain words, no blame, and a clear next step with a time.",
                        ("customer", "My sofa was meant to arrive on Tuesday. Where is it?"),
                        (
                            "staff",
                            "I'm sorry, it was sent back to our warehouse because the van ran "
                            "out of time. I've booked it on Friday's delivery and I'll email "
                            "you the two-hour slot by tomorrow lunchtime.",
                        ),
                    ),
                    heading("Owning the contact, and when a caller crosses the line"),
                    quote("customer-service-standards", "ownership"),
                    callout(
                        "If another team has to look into it, the contact is still yours. "
                        "Tell the customer who will call them and by when, and make sure "
                        "it happens."
                    ),
                    quote("customer-service-standards", "professional-conduct"),
                    text(
                        "Anger is not abuse: a customer shouting about a real problem needs "
                        "listening to. Swearing at you or threats are abuse. Give one clear "
                        "warning first; if it carries on you may end the contact, and you "
                        "note why."
                    ),
                    check(
                        "Which phrase follows our plain-language standard?",
                        (
                            "“I'll email your delivery slot by 1pm tomorrow.”",
                            True,
                            "It says what you will do and when, in everyday words.",
                        ),
                        (
                            "“The order is in an RTS state pending re-manifest.”",
                            False,
                            "Internal codes mean nothing to the customer. Say what happened.",
                        ),
                        (
                            "“That's the warehouse's fault, not ours.”",
                            False,
                            "We never blame another team; to the customer we are one company.",
                        ),
                    ),
                ],
            ),
            (
                "Refunds and returns in practice",
                "What you can agree to on your own, and when to ask.",
                [
                    quote("refunds-and-returns", "returns-window"),
                    quote("refunds-and-returns", "refund-method"),
                    callout(
                        "Refunds go back to the card or account that paid. If a customer asks "
                        "for a refund to a different card, explain why we cannot, kindly and "
                        "without suggesting they are up to something.",
                        title="Watch out",
                    ),
                    quote("refunds-and-returns", "outside-the-window"),
                    quote("refunds-and-returns", "faulty-goods"),
                    callout(
                        "The returns window is for a change of mind. A fault has its own "
                        "rule: twelve months, and the customer chooses repair, replacement "
                        "or refund. Never call working goods faulty to get round the window.",
                        title="Faulty is different",
                    ),
                    check(
                        "An unused lamp comes back 20 days after delivery, in its box. The "
                        "customer paid by card. What do you do?",
                        (
                            "Refund it to the card they paid with.",
                            True,
                            "It is inside the window, so it is a full refund to the "
                            "original payment method.",
                        ),
                        (
                            "Offer store credit instead of a refund.",
                            False,
                            "Inside the window the customer is entitled to a refund; store "
                            "credit is for requests outside it.",
                        ),
                        (
                            "Ask a team lead to approve the refund.",
                            False,
                            "No approval is needed inside the window; you own this one.",
                        ),
                    ),
                ],
            ),
            (
                "Complaints and privacy: the basics",
                "Spot a complaint, protect the customer's data, and finish well.",
                [
                    quote("complaints-handling", "recognise-a-complaint"),
                    text(
                        "Once you have recognised a complaint, the clock starts. The policy "
                        "sets what happens next and by when."
                    ),
                    quote("complaints-handling", "acknowledge"),
                    quote("complaints-handling", "investigate"),
                    quote("complaints-handling", "respond"),
                    quote("complaints-handling", "escalate"),
                    callout(
                        "Acknowledge within one working day with the case number and your "
                        "name. Write notes as facts: what was said, seen and done, never "
                        "what you think of the customer. If ten working days will not be "
                        "enough, escalate now rather than let it run over."
                    ),
                    heading("Whose account is it?"),
                    quote("privacy-in-customer-conversations", "identity-check"),
                    quote("privacy-in-customer-conversations", "third-parties"),
                    dialogue(
                        "A caller asking about their partner's order",
                        "good",
                        "The agent is warm but does not discuss an account with someone who is "
                        "not an authorised contact, and offers a way forward.",
                        ("customer", "I'm calling about my husband's order, it's on his account."),
                        (
                            "staff",
                            "I'd like to help. I can only discuss an account with the account "
                            "holder or someone he has added as a contact. He can add you online "
                            "in two minutes, or call us himself, and we'll sort it straight away.",
                        ),
                    ),
                    {"type": "job_aid", "value": job_aid.pk},
                    text("Keep the checklist by your screen for your first few weeks."),
                    check(
                        "A customer says “This is the second time the table arrived damaged and "
                        "I want it sorted.” They never say “complaint”. How do you treat it?",
                        (
                            "Log it as a complaint.",
                            True,
                            "They are unhappy with us and want action, which makes it a "
                            "complaint whatever words they use.",
                        ),
                        (
                            "Arrange a replacement and move on; it is not a complaint.",
                            False,
                            "Fix it, but log it too: a complaint does not need the word.",
                        ),
                    ),
                ],
            ),
        ],
    }


def _complaints() -> dict:
    return {
        "title": "Complaint Handling and De-escalation",
        "slug": "complaint-handling-and-de-escalation",
        "summary": (
            "Calm an angry customer, log and acknowledge the complaint on time, and know when "
            "a team lead must hear about it today."
        ),
        "estimated_minutes": 45,
        "default_due_days": 30,
        "certificate_validity_months": 12,
        "policies": ["complaints-handling", "customer-service-standards"],
        "modules": [
            (
                "Bringing the temperature down",
                "What to say in the first minute with an angry customer.",
                [
                    text(
                        "An angry customer is usually a worried customer. Your aim in the first "
                        "minute is not to solve the problem but to show you have understood it."
                    ),
                    bullets(
                        "Three moves that work:",
                        "Let them finish without interrupting, even if you know the answer.",
                        "Name what happened and how it affected them, in your own words.",
                        "Say what you will do now, before explaining any policy.",
                    ),
                    quote("customer-service-standards", "professional-conduct"),
                    dialogue(
                        "The third call about a missing refund",
                        "good",
                        "The agent acknowledges the history, takes ownership and gives a "
                        "specific commitment instead of a script.",
                        ("customer", "This is the third time I've called. Nobody does anything!"),
                        (
                            "staff",
                            "Three calls is three too many, I'm sorry. I can see the return "
                            "arrived on the 4th. I'm going to stay on this with you now and "
                            "find out exactly where the refund is.",
                        ),
                    ),
                    check(
                        "A customer is shouting but not abusive. What comes first?",
                        (
                            "Let them finish, then acknowledge what went wrong.",
                            True,
                            "People calm down once they feel heard.",
                        ),
                        (
                            "Warn them that you will end the call.",
                            False,
                            "A warning is for abuse, not for anger. Shouting about a real "
                            "problem needs listening first.",
                        ),
                        (
                            "Read out the relevant policy.",
                            False,
                            "Policy comes after the customer feels understood, not before.",
                        ),
                    ),
                ],
            ),
            (
                "Acknowledge, investigate, respond",
                "The complaint clock and what each step needs.",
                [
                    quote("complaints-handling", "acknowledge"),
                    quote("complaints-handling", "investigate"),
                    quote("complaints-handling", "respond"),
                    quote("complaints-handling", "escalate"),
                    callout(
                        "Any mention of safety, legal action, the press or a vulnerable "
                        "customer goes to a team lead the same day, even if you can fix the "
                        "problem yourself."
                    ),
                    check(
                        "A customer mentions they will contact a newspaper. You can fix the "
                        "problem today. What do you do?",
                        (
                            "Fix it and escalate to a team lead today.",
                            True,
                            "A mention of the press is always escalated the same day.",
                        ),
                        (
                            "Fix it; escalation is only for problems you cannot solve.",
                            False,
                            "The press, legal action, safety and vulnerability are escalated "
                            "whatever the outcome.",
                        ),
                    ),
                ],
            ),
        ],
    }


def _refunds() -> dict:
    return {
        "title": "Refunds Done Right",
        "slug": "refunds-done-right",
        "summary": (
            "Refunds, returns and store credit, including the requests that fall outside "
            "the rules, handled fairly and the same way every time."
        ),
        "estimated_minutes": 35,
        "default_due_days": 21,
        "certificate_validity_months": 12,
        "policies": ["refunds-and-returns"],
        "modules": [
            (
                "Inside the rules",
                "Windows, faulty goods and how the money goes back.",
                [
                    quote("refunds-and-returns", "returns-window"),
                    quote("refunds-and-returns", "faulty-goods"),
                    quote("refunds-and-returns", "non-returnable"),
                    check(
                        "A customer returns a mattress with the hygiene seal broken, 10 days "
                        "after delivery, because they find it too firm. What applies?",
                        (
                            "It cannot be returned for that reason.",
                            True,
                            "Bedding with a broken seal is non-returnable unless it is faulty.",
                        ),
                        (
                            "A full refund, because it is inside the window.",
                            False,
                            "The window does not cover items on the non-returnable list.",
                        ),
                    ),
                ],
            ),
            (
                "Outside the window",
                "Saying yes where you can, and no kindly where you cannot.",
                [
                    quote("refunds-and-returns", "outside-the-window"),
                    dialogue(
                        "A refund asked for 60 days after delivery",
                        "poor",
                        "A flat refusal with no alternative. The agent had store credit "
                        "available and did not offer it.",
                        ("customer", "I never used the rug, can I get my money back?"),
                        ("staff", "No, it's past the return window. Sorry."),
                    ),
                    dialogue(
                        "The same request, handled well",
                        "good",
                        "The agent explains the rule once, offers what they can approve and "
                        "says how to go further.",
                        ("customer", "I never used the rug, can I get my money back?"),
                        (
                            "staff",
                            "It's outside our return window, so I can't refund it, but as it's "
                            "unused I can give you store credit for the full price today. If "
                            "you'd rather, I can ask my team lead to look at a refund.",
                        ),
                    ),
                    check(
                        "An unused item costing £40 comes back after the window. What can you "
                        "offer without asking anyone?",
                        (
                            "Store credit for the full £40.",
                            True,
                            "It is within your store-credit limit for unused items.",
                        ),
                        (
                            "A refund to the card, as a goodwill gesture.",
                            False,
                            "A refund outside the window needs a team lead's approval.",
                        ),
                    ),
                ],
            ),
        ],
    }


def _privacy() -> dict:
    return {
        "title": "Privacy in Every Conversation",
        "slug": "privacy-in-every-conversation",
        "summary": (
            "Confirm who you are speaking to, keep other people's data out of the "
            "conversation, and pass data requests to the privacy team."
        ),
        "estimated_minutes": 30,
        "default_due_days": 30,
        "certificate_validity_months": 24,
        "policies": ["privacy-in-customer-conversations"],
        "modules": [
            (
                "Who am I talking to?",
                "The identity check, and callers who are not the account holder.",
                [
                    quote("privacy-in-customer-conversations", "identity-check"),
                    quote("privacy-in-customer-conversations", "third-parties"),
                    check(
                        "A caller gives the right name and postcode but the wrong email "
                        "address. Can you discuss the order?",
                        (
                            "Only after a second correct detail, such as the last order number.",
                            True,
                            "Two details must match in full; a wrong one does not count.",
                        ),
                        (
                            "Yes, two out of three is enough.",
                            False,
                            "The check is the name plus two matching details. A mismatch is "
                            "not a match.",
                        ),
                    ),
                ],
            ),
            (
                "What never leaves the building",
                "Information we never give out, and data requests.",
                [
                    quote("privacy-in-customer-conversations", "never-disclose"),
                    quote("privacy-in-customer-conversations", "data-requests"),
                    callout(
                        "“Does this email have an account with you?” is a question we never "
                        "answer, whoever asks and however reasonable they sound."
                    ),
                    check(
                        "A customer asks for a copy of all the data we hold about them. What "
                        "do you do?",
                        (
                            "Pass it to the privacy team today with the data-request form.",
                            True,
                            "Data requests go to the privacy team the same day.",
                        ),
                        (
                            "Email them their order history yourself.",
                            False,
                            "Do not fulfil data requests yourself; the privacy team does.",
                        ),
                    ),
                ],
            ),
        ],
    }


def course_specs() -> list[dict]:
    return [_essentials(), _complaints(), _refunds(), _privacy()]


def _catalogue() -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is None:  # removed by someone since the migration made it
        index = CourseIndexPage(title="Courses", slug="courses")
        HomePage.objects.get().add_child(instance=index)
        index.save_revision().publish()
    return index


def seed_courses() -> list[CoursePage]:
    """Create the demo courses that do not exist yet; published, so they pin policies."""
    catalogue = _catalogue()
    courses = []
    for spec in course_specs():
        existing = CoursePage.objects.filter(slug=spec["slug"]).first()
        if existing is not None:
            courses.append(existing)
            continue
        fields = {k: v for k, v in spec.items() if k not in ("policies", "modules")}
        course = CoursePage(**fields)
        catalogue.add_child(instance=course)
        course.policies.set(PolicyPage.objects.filter(slug__in=spec["policies"]))
        course.save_revision().publish()
        for title, intro, body in spec["modules"]:
            module = ModulePage(
                title=title,
                slug=slugify(title),
                intro=intro,
                estimated_minutes=max(5, spec["estimated_minutes"] // len(spec["modules"])),
                body=body,
            )
            course.add_child(instance=module)
            module.save_revision().publish()
        courses.append(CoursePage.objects.get(pk=course.pk))
    return courses


def seed_scenarios() -> list[ScenarioPage]:
    """Add each demo role-play to its course unless it is there already; published. The
    refund role-play in its first wording, on Refunds and Returns 1.1."""
    scenarios = []
    for spec in scenario_specs():
        if spec["slug"] == REFUND_SLUG:
            spec = as_first_written(spec)
        course = CoursePage.objects.get(slug=spec["course"])
        existing = ScenarioPage.objects.child_of(course).filter(slug=spec["slug"]).first()
        if existing is not None:
            scenarios.append(existing)
            continue
        fields = {k: v for k, v in spec.items() if k not in ("course", "policies")}
        scenario = ScenarioPage(**fields)
        course.add_child(instance=scenario)
        scenario.policies.set(PolicyPage.objects.filter(slug__in=spec["policies"]))
        scenario.save_revision().publish()
        scenarios.append(ScenarioPage.objects.get(pk=scenario.pk))
    return scenarios


def seed_refunds_2_scenario_update(*, by, at: datetime.datetime) -> ScenarioPage | None:
    """The trainer's revision of the refund role-play to Refunds and Returns 2.0's figures,
    published (so its script is written for 2.0) and dated ``at``; once. Runs played
    before keep the script they were played on."""
    spec = next(spec for spec in scenario_specs() if spec["slug"] == REFUND_SLUG)
    course = CoursePage.objects.get(slug=spec["course"])
    scenario = ScenarioPage.objects.child_of(course).filter(slug=REFUND_SLUG).first()
    if scenario is None or scenario.persona_wants == spec["persona_wants"]:
        return None
    for name in ("brief", "persona_wants", "steps"):
        setattr(scenario, name, spec[name])
    revision = scenario.save_revision(user=by, log_action="wagtail.edit")
    revision.publish(user=by)
    # Invented history, so queryset updates: the edit and the publish happened that day.
    Revision.objects.filter(pk=revision.pk).update(created_at=at)
    PageLogEntry.objects.filter(page=scenario, revision=revision).update(timestamp=at)
    ScenarioPage.objects.filter(pk=scenario.pk).update(
        last_published_at=at, latest_revision_created_at=at
    )
    ScenarioScript.objects.filter(scenario=scenario, revision_id=revision.pk).update(created_at=at)
    return ScenarioPage.objects.get(pk=scenario.pk)


def attach_assessments(made: dict) -> None:
    """Name each demo course's assessments on it (by course slug), publishing the change
    as a trainer would, unless the course names them already."""
    for slug, (final, practice) in made.items():
        course = CoursePage.objects.filter(slug=slug).first()
        if course is None:
            continue
        practice_id = practice.pk if practice else None
        if course.assessment_id == final.pk and course.practice_assessment_id == practice_id:
            continue
        course.assessment = final
        course.practice_assessment = practice
        course.save_revision().publish()


# What the trainer changed in the refunds modules once Refunds and Returns 2.0 was out:
# a note on what is new at the top, and the knowledge check moved onto the new numbers.
REFUNDS_2_NOTE = callout(
    "Since Refunds and Returns 2.0, customers have 45 days from delivery to return an unused "
    "item for a full refund (it was 30), and outside that window you may offer store credit "
    "up to £75 on your own authority (it was £50).",
    title="New in Refunds and Returns 2.0",
)
REFUNDS_2_UPDATES = {
    ("customer-service-essentials", "refunds-and-returns-in-practice"): check(
        "An unused lamp comes back 40 days after delivery, in its box. The customer paid by "
        "card. What do you do?",
        (
            "Refund it to the card they paid with.",
            True,
            "40 days is inside the 45-day window, so it is a full refund to the "
            "original payment method.",
        ),
        (
            "Offer store credit instead of a refund.",
            False,
            "Inside the window the customer is entitled to a refund; store credit is for "
            "requests outside it.",
        ),
        (
            "Ask a team lead to approve the refund.",
            False,
            "No approval is needed inside the window; you own this one.",
        ),
    ),
    ("refunds-done-right", "inside-the-rules"): None,
    ("refunds-done-right", "outside-the-window"): check(
        "An unused item costing £70 comes back after the window. What can you offer without "
        "asking anyone?",
        (
            "Store credit for the full £70.",
            True,
            "It is within your £75 store-credit limit for unused items.",
        ),
        (
            "Store credit for £50, and a team lead's approval for the rest.",
            False,
            "£50 was the limit before version 2.0; £70 is now yours to give.",
        ),
        (
            "A refund to the card, as a goodwill gesture.",
            False,
            "A refund outside the window needs a team lead's approval.",
        ),
    ),
}


def seed_refunds_2_course_updates() -> list[CoursePage]:
    """Update the modules that teach refunds to Refunds and Returns 2.0 and republish
    their courses, as the trainer did once 2.0 was out, so the courses pin it. Once:
    a module that has the note already is left alone. Returns the courses republished."""
    republished = []
    for (course_slug, module_slug), new_check in REFUNDS_2_UPDATES.items():
        course = CoursePage.objects.get(slug=course_slug)
        module = ModulePage.objects.child_of(course).get(slug=module_slug)
        body = list(module.body.raw_data)
        if any(
            block["type"] == "callout" and block["value"] == REFUNDS_2_NOTE["value"]
            for block in body
        ):
            continue
        if new_check is not None:
            body = [new_check if block["type"] == "knowledge_check" else block for block in body]
        module.body = [REFUNDS_2_NOTE, *body]
        module.save_revision().publish()
        if course not in republished:
            republished.append(course)
    for course in republished:
        course.save_revision().publish()
    return republished
