"""The demo question bank: questions a customer-service team could start from, written
against the demo policies, with every kind of question and every competency."""

import datetime

from django.utils import timezone
from wagtail.models import ModelLogEntry, Revision

from assessments.choices import AssessmentMode
from assessments.models import (
    Assessment,
    Competency,
    CompetencyMinimum,
    Question,
    QuestionBank,
    SelectionRule,
)
from assessments.services import question_confirm_for_version
from cms.models import PolicyPage
from cms.services import policy_version_compare

BANK = "Customer service essentials"

STANDARDS = "customer-service-standards"
REFUNDS = "refunds-and-returns"
COMPLAINTS = "complaints-handling"
PRIVACY = "privacy-in-customer-conversations"


def opt(text, credit=0, feedback=""):
    return {"text": text, "credit": credit, "feedback": feedback}


def q(kind, title, stem, value, *, skills, policy=None, sections="", category="", why=""):
    return {
        "kind": kind,
        "title": title,
        "stem": f"<p>{stem}</p>",
        "value": value,
        "skills": skills,
        "policy": policy,
        "sections": sections,
        "category": category,
        "why": why,
    }


def single(title, stem, options, **kw):
    return q("single_choice", title, stem, {"options": [opt(*o) for o in options]}, **kw)


def multi(title, stem, options, **kw):
    return q("multiple_response", title, stem, {"options": [opt(*o) for o in options]}, **kw)


def truth(title, stem, correct, if_true, if_false, **kw):
    value = {"correct": correct, "feedback_if_true": if_true, "feedback_if_false": if_false}
    return q("true_false", title, stem, value, **kw)


def match(title, stem, pairs, extras=(), **kw):
    value = {
        "pairs": [{"prompt": a, "answer": b} for a, b in pairs],
        "extra_answers": list(extras),
    }
    return q("matching", title, stem, value, **kw)


def order(title, stem, items, **kw):
    return q("ordering", title, stem, {"items": list(items)}, **kw)


def short(title, stem, answers, **kw):
    value = {"answers": [opt(*a) for a in answers], "case_sensitive": False}
    return q("short_answer", title, stem, value, **kw)


def number(title, stem, answers, other="", **kw):
    value = {
        "answers": [
            {"value": v, "tolerance": t, "credit": c, "feedback": f} for v, t, c, f in answers
        ],
        "other_feedback": other,
    }
    return q("numerical", title, stem, value, **kw)


def rank(title, stem, responses, **kw):
    value = {"responses": [{"text": t, "feedback": f} for t, f in responses]}
    return q("situational_judgement", title, stem, value, **kw)


def essay(title, stem, rubric, guidance, **kw):
    value = {
        "rubric": [{"criterion": c, "points": p} for c, p in rubric],
        "grader_guidance": guidance,
    }
    return q("essay", title, stem, value, **kw)


QUESTIONS = [
    # ----------------------------------------------------------------- standards
    single(
        "Opening a call",
        "A call reaches you. Which opening meets our standards?",
        [
            (
                "“Good morning, you're through to Sam at Harbourside Home Goods. How can I help?”",
                100,
                "Greeting, first name and company name: all three.",
            ),
            (
                "“Customer services, what's your order number?”",
                0,
                "No greeting or name, and it jumps straight to process.",
            ),
            ("“Hi, one moment please.”", 0, "The customer still does not know who they reached."),
        ],
        skills=["communication"],
        policy=STANDARDS,
        sections="greeting-and-identification",
        category="Standards",
    ),
    number(
        "Chat first reply",
        "Within how many minutes must the first reply to a live chat be sent?",
        [(2, 0, 100, "Two minutes: a chat customer is watching the screen.")],
        other="Check the response-times section of the standards.",
        skills=["communication"],
        policy=STANDARDS,
        sections="response-times",
        category="Standards",
    ),
    match(
        "Channels and reply times",
        "Match each channel to the time our standards give for a first personal reply.",
        [
            ("Live chat", "2 minutes"),
            ("Email or web form", "1 working day"),
            ("Social media message", "4 working hours"),
        ],
        extras=["10 working days"],
        skills=["communication"],
        policy=STANDARDS,
        sections="response-times",
        category="Standards",
    ),
    truth(
        "Jargon with a gloss",
        "Internal codes and system names are best left out of what you say to a customer; a "
        "term you cannot avoid, you explain in everyday words.",
        "true",
        "Right: say what happened instead of the code, and explain any term you must use.",
        "The standard asks you to avoid codes, system names and jargon, and to say what any "
        "term you must use means.",
        skills=["communication"],
        policy=STANDARDS,
        sections="plain-language",
        category="Standards",
    ),
    multi(
        "Saying no well",
        "A customer asks for something we cannot do. Which of these fit our plain-language "
        "standard?",
        [
            ("Say what you can do instead", 50),
            ("Explain the reason in everyday words", 50),
            (
                "Mention that the warehouse team made the mistake",
                -50,
                "Never blame another team, even when it is true.",
            ),
            ("Read out the policy reference number", 0),
        ],
        skills=["communication"],
        policy=STANDARDS,
        sections="plain-language",
        category="Standards",
    ),
    order(
        "A warm handover",
        "Put the steps of a warm handover in order.",
        [
            "Tell the customer you are bringing in a colleague and why",
            "Brief the colleague on the case before they take over",
            "Tell the customer who will contact them and by when",
            "Note the handover on the case",
        ],
        skills=["communication", "complaint_handling"],
        policy=STANDARDS,
        sections="ownership",
        category="Standards",
    ),
    single(
        "Who owns the contact",
        "You took a call about a missing parcel and the courier team must look into it. Who "
        "owns the contact now?",
        [
            (
                "You, until it is resolved or handed over warmly",
                100,
                "Ownership stays with whoever took the contact.",
            ),
            ("The courier team", 0, "They help, but the customer's contact is still yours."),
            ("Whoever the customer speaks to next", 0, "That is how customers get passed around."),
        ],
        skills=["complaint_handling"],
        policy=STANDARDS,
        sections="ownership",
        category="Standards",
    ),
    rank(
        "The abusive caller",
        "A caller has sworn at you twice. Rank these responses from best to worst.",
        [
            (
                "Give one clear warning that you will end the call if it continues, then do so if "
                "it does, and note why",
                "This is exactly what the conduct section allows.",
            ),
            (
                "Stay calm and keep trying to help without mentioning the language",
                "Patient, but it leaves you exposed and the case without a record.",
            ),
            (
                "Put the caller on hold for ten minutes to cool off",
                "Silence is not a warning, and it wastes the customer's time.",
            ),
            ("Hang up straight away", "Ending without a warning breaks the standard."),
        ],
        skills=["de_escalation"],
        policy=STANDARDS,
        sections="professional-conduct",
        category="Standards",
    ),
    truth(
        "Ending an abusive chat",
        "You may end a chat with an abusive customer without warning them first.",
        "false",
        "One clear warning comes first; then you may end it and note the reason.",
        "Right: warn once, then end it if it carries on, and record why.",
        skills=["de_escalation"],
        policy=STANDARDS,
        sections="professional-conduct",
        category="Standards",
    ),
    short(
        "Three rings",
        "Once a call reaches you, within how many rings should you answer? (a number or a word)",
        [("three", 100), ("3", 100)],
        skills=["communication"],
        policy=STANDARDS,
        sections="greeting-and-identification",
        category="Standards",
    ),
    # ----------------------------------------------------------------- refunds
    single(
        "Day 40 return",
        "An unused kettle comes back 40 days after delivery, in its box. What do you offer?",
        [
            ("A full refund: the window is 45 days", 100, "Right under version 2.0 of the policy."),
            ("Store credit up to £75", 0, "That is for returns outside the window."),
            ("Nothing: the window is 30 days", 0, "That was the rule before version 2.0."),
        ],
        skills=["policy_knowledge"],
        policy=REFUNDS,
        sections="returns-window",
        category="Refunds",
        why="The window changed in 2.0; check the current version.",
    ),
    number(
        "The returns window",
        "How many days after delivery may a customer return an unused item for a full refund?",
        [
            (45, 0, 100, "Yes: 45 days since version 2.0."),
            (30, 0, 0, "30 days was the old window."),
        ],
        other="Look at the returns window section.",
        skills=["policy_knowledge"],
        policy=REFUNDS,
        sections="returns-window",
        category="Refunds",
    ),
    number(
        "Credit on your own authority",
        "Outside the window, up to how many pounds of store credit may you offer without a team "
        "lead?",
        [(75, 0, 100, "£75 since version 2.0."), (50, 0, 0, "£50 was the old limit.")],
        other="See the section on requests outside the window.",
        skills=["policy_knowledge"],
        policy=REFUNDS,
        sections="outside-the-window",
        category="Refunds",
    ),
    multi(
        "Cannot come back",
        "Which of these cannot be returned?",
        [
            ("A made-to-measure sofa", 34),
            ("A duvet with its hygiene seal broken", 33),
            ("A gift card", 33),
            ("An unopened lamp on day 10", -50, "Inside the window and unused: returnable."),
            ("A faulty toaster after 8 months", -50, "Faulty goods can come back for 12 months."),
        ],
        skills=["policy_knowledge"],
        policy=REFUNDS,
        sections="non-returnable",
        category="Refunds",
    ),
    truth(
        "Refund to another card",
        "A customer's original card has expired; you may refund to their new card instead.",
        "false",
        "Refunds go only to the original payment method; the card issuer passes the money on.",
        "Right: never to a different card or account.",
        skills=["policy_knowledge", "privacy"],
        policy=REFUNDS,
        sections="refund-method",
        category="Refunds",
    ),
    number(
        "Refund timing",
        "Within how many working days of receiving a return must the refund be paid?",
        [(5, 0, 100, "")],
        other="The section on how refunds are paid gives the time.",
        skills=["policy_knowledge"],
        policy=REFUNDS,
        sections="refund-method",
        category="Refunds",
    ),
    single(
        "Faulty after ten months",
        "A blender stopped working ten months after delivery. What does the customer get?",
        [
            (
                "Repair, replacement or refund, in the order they prefer",
                100,
                "Faulty goods have 12 months, and the customer chooses.",
            ),
            ("Store credit only", 0, "Store credit is for unused items outside the window."),
            (
                "Nothing: it is past the returns window",
                0,
                "The returns window is for change of mind; faults have their own rule.",
            ),
        ],
        skills=["policy_knowledge", "complaint_handling"],
        policy=REFUNDS,
        sections="faulty-goods",
        category="Refunds",
    ),
    rank(
        "Refund on day 60",
        "An unused rug comes back on day 60 and the customer is getting angry. Rank these.",
        [
            (
                "Acknowledge the frustration, explain the window plainly and offer store credit up "
                "to £75",
                "Calm, honest and within your authority.",
            ),
            (
                "Ask a team lead to approve a full refund straight away",
                "Possible, but skipping what you may offer yourself sets the wrong expectation.",
            ),
            ("Read out the policy word for word", "Accurate but cold; it raises the heat."),
            (
                "Promise a full refund to calm them down",
                "A promise you cannot keep is a breach and a second complaint.",
            ),
        ],
        skills=["de_escalation", "policy_knowledge"],
        policy=REFUNDS,
        sections="outside-the-window",
        category="Refunds",
    ),
    match(
        "Which rule applies",
        "Match each situation to the part of the refunds policy that decides it.",
        [
            ("Unused chair, day 20", "The returns window"),
            ("Broken kettle, month 7", "Faulty goods"),
            ("Unused rug, day 70", "Requests outside the window"),
        ],
        extras=["Items that cannot be returned"],
        skills=["policy_knowledge"],
        policy=REFUNDS,
        sections="returns-window,faulty-goods,outside-the-window",
        category="Refunds",
    ),
    short(
        "Who approves more credit",
        "Outside the window, who must approve store credit above your limit? (their role)",
        [
            ("team lead", 100),
            ("a team lead", 100),
            ("team leader", 100),
            ("manager", 50, "Close: the policy names the team lead."),
        ],
        skills=["policy_knowledge"],
        policy=REFUNDS,
        sections="outside-the-window",
        category="Refunds",
    ),
    essay(
        "Explaining the new window",
        "A regular customer says “it used to be 30 days, now you tell me 45; which is it?” Write "
        "what you would say.",
        [
            ("Gives the current rule clearly: 45 days", 2),
            ("Acknowledges the confusion without blaming anyone", 2),
            ("Plain, friendly language", 1),
        ],
        "Look for the current figure and a tone that does not make the customer feel foolish.",
        skills=["communication", "policy_knowledge"],
        policy=REFUNDS,
        sections="returns-window",
        category="Refunds",
    ),
    # ----------------------------------------------------------------- complaints
    truth(
        "The word complaint",
        "If a customer never says the word “complaint”, it is not a complaint.",
        "false",
        "Any dissatisfaction the customer wants acted on is a complaint, whatever words they use.",
        "Right: listen for unhappiness plus a wish for action.",
        skills=["complaint_handling"],
        policy=COMPLAINTS,
        sections="recognise-a-complaint",
        category="Complaints",
    ),
    multi(
        "Is it a complaint?",
        "Which of these should be logged as complaints?",
        [
            ("“The driver left my parcel in the rain and it's ruined. Sort it out.”", 50),
            ("“I've been charged twice and I want it fixed today.”", 50),
            ("“What time do you close on Saturday?”", -50, "A question, not dissatisfaction."),
            ("“Can I change my delivery address?”", -50, "A request, with nothing wrong yet."),
        ],
        skills=["complaint_handling"],
        policy=COMPLAINTS,
        sections="recognise-a-complaint",
        category="Complaints",
    ),
    number(
        "Acknowledgement deadline",
        "Within how many working days must a complaint be acknowledged?",
        [(1, 0, 100, "One working day, with the case number and a named handler.")],
        other="See the acknowledge section.",
        skills=["complaint_handling"],
        policy=COMPLAINTS,
        sections="acknowledge",
        category="Complaints",
    ),
    number(
        "Final response deadline",
        "Within how many working days must the written final response be sent?",
        [(10, 0, 100, "")],
        other="See the respond section.",
        skills=["complaint_handling"],
        policy=COMPLAINTS,
        sections="respond",
        category="Complaints",
    ),
    multi(
        "What an acknowledgement gives",
        "What must an acknowledgement tell the customer?",
        [
            ("The case number", 50),
            ("The name of the person handling it", 50),
            ("The outcome of the investigation", -50, "Too early: that comes in the response."),
            ("An apology for everything they mention", 0),
        ],
        skills=["complaint_handling", "communication"],
        policy=COMPLAINTS,
        sections="acknowledge",
        category="Complaints",
    ),
    multi(
        "Escalate the same day",
        "Which of these mean the complaint goes to a team lead the same day?",
        [
            ("The customer says the heater sparked", 25),
            ("The customer mentions their solicitor", 25),
            ("The customer says they will tell a newspaper", 25),
            ("The customer says they are caring for a seriously ill partner", 25),
            (
                "The customer is annoyed about a late delivery",
                -50,
                "Handle it yourself within the usual times.",
            ),
        ],
        skills=["complaint_handling"],
        policy=COMPLAINTS,
        sections="escalate",
        category="Complaints",
    ),
    order(
        "The life of a complaint",
        "Put the stages of handling a complaint in order.",
        ["Recognise it", "Log and acknowledge it", "Investigate", "Send the final response"],
        skills=["complaint_handling"],
        policy=COMPLAINTS,
        category="Complaints",
    ),
    single(
        "Notes on the case",
        "Which note belongs on a complaint case?",
        [
            (
                "“Customer sent two photos of the damaged box; courier scan shows left at door "
                "14:02.”",
                100,
                "Factual and useful to whoever reads it next.",
            ),
            ("“Customer is clearly trying it on.”", 0, "An opinion about the customer: never."),
            ("“Difficult caller, be careful.”", 0, "Opinion again, and no facts."),
        ],
        skills=["complaint_handling"],
        policy=COMPLAINTS,
        sections="investigate",
        category="Complaints",
    ),
    rank(
        "First words to an angry caller",
        "A caller opens with “This is the third time I've rung!” Rank these first replies.",
        [
            (
                "“I'm sorry you've had to call three times. I'll take this on myself now.”",
                "Acknowledges and takes ownership in one breath.",
            ),
            (
                "“Let me pull up your account and see what happened.”",
                "Sensible, but it skips the acknowledgement.",
            ),
            ("“Our systems have been slow this week.”", "An excuse the customer did not ask for."),
            ("“There's no need to shout.”", "Escalates it."),
        ],
        skills=["de_escalation", "communication"],
        policy=STANDARDS,
        sections="ownership",
        category="Complaints",
    ),
    match(
        "Deadlines",
        "Match each stage to its time limit.",
        [
            ("Acknowledge", "1 working day"),
            ("Final response", "10 working days"),
            ("Escalation for a safety concern", "The same day"),
        ],
        extras=["30 days"],
        skills=["complaint_handling"],
        policy=COMPLAINTS,
        sections="acknowledge,respond,escalate",
        category="Complaints",
    ),
    essay(
        "A final response",
        "Write the final response to a customer whose sofa arrived with a torn cushion and whose "
        "replacement was then delivered late.",
        [
            ("Explains what happened, without blame", 2),
            ("Says what we will do", 2),
            ("Says how to take it further", 1),
        ],
        "All three parts of the respond section should be there.",
        skills=["complaint_handling", "communication"],
        policy=COMPLAINTS,
        sections="respond",
        category="Complaints",
    ),
    truth(
        "Late but still ten days",
        "If you cannot answer within ten working days, you should wait until you can.",
        "false",
        "If it cannot be answered in ten working days it must be escalated.",
        "Right: escalate rather than let it run over.",
        skills=["complaint_handling"],
        policy=COMPLAINTS,
        sections="escalate",
        category="Complaints",
    ),
    # ----------------------------------------------------------------- privacy
    single(
        "Enough to go on",
        "A caller gives their full name and postcode. Can you discuss the account?",
        [
            (
                "Not yet: you need one more of email address or last order number",
                100,
                "Full name plus two of the three.",
            ),
            ("Yes: name and postcode are enough", 0, "That is only one of the two extra details."),
            ("Yes, if the name is unusual", 0, "Never accept a partial match."),
        ],
        skills=["privacy"],
        policy=PRIVACY,
        sections="identity-check",
        category="Privacy",
    ),
    multi(
        "Valid identity details",
        "Besides the full name, which details may count towards the identity check?",
        [
            ("The postcode", 34),
            ("The email address on the account", 33),
            ("The last order number", 33),
            ("The date of birth", -50, "Not one of our three."),
            ("The last four digits of the card", -50, "We do not use card details to verify."),
        ],
        skills=["privacy"],
        policy=PRIVACY,
        sections="identity-check",
        category="Privacy",
    ),
    truth(
        "A husband calling",
        "A husband may hear his wife's order history if he knows all her details.",
        "false",
        "Knowing details is not permission: only an authorised contact may be told.",
        "Right: only the account holder or someone they have authorised.",
        skills=["privacy"],
        policy=PRIVACY,
        sections="third-parties",
        category="Privacy",
    ),
    rank(
        "The worried daughter",
        "A daughter calls about her mother's order and is upset. The mother has not authorised "
        "her. Rank these.",
        [
            (
                "Explain kindly you cannot discuss it, and say how her mother can add her as a "
                "contact",
                "Protects the data and gives a way forward.",
            ),
            (
                "Offer to call her mother back on the number on the account",
                "Good instinct, but explain first and do not hint what is on the account.",
            ),
            ("Confirm only whether an order exists", "Even that is a disclosure."),
            ("Tell her everything since she is family", "A privacy breach."),
        ],
        skills=["privacy", "de_escalation"],
        policy=PRIVACY,
        sections="third-parties",
        category="Privacy",
    ),
    multi(
        "Never said",
        "Which of these must you never disclose?",
        [
            ("Whether an email address has an account with us", 34),
            ("Another customer's delivery address", 33),
            ("A customer's password", 33),
            ("Our opening hours", -50, "Public information."),
        ],
        skills=["privacy"],
        policy=PRIVACY,
        sections="never-disclose",
        category="Privacy",
    ),
    single(
        "Delete my data",
        "A customer on chat asks you to delete all their data. What do you do?",
        [
            (
                "Pass it to the privacy team today with the data-request form",
                100,
                "Same day, through the form.",
            ),
            ("Delete the account yourself", 0, "Never fulfil a data request yourself."),
            ("Tell them to email the privacy team", 0, "The request is already made: pass it on."),
        ],
        skills=["privacy"],
        policy=PRIVACY,
        sections="data-requests",
        category="Privacy",
    ),
    short(
        "Who handles data requests",
        "Which team handles requests for a copy of personal data?",
        [("privacy team", 100), ("the privacy team", 100), ("privacy", 100)],
        skills=["privacy"],
        policy=PRIVACY,
        sections="data-requests",
        category="Privacy",
    ),
    order(
        "Before you open the account",
        "Put these in order for an inbound call about an order.",
        [
            "Greet and give your name",
            "Ask for the full name",
            "Confirm two of postcode, email or last order number",
            "Discuss the order",
        ],
        skills=["privacy", "communication"],
        policy=PRIVACY,
        sections="identity-check",
        category="Privacy",
    ),
    match(
        "Privacy situations",
        "Match each situation to what the privacy policy says to do.",
        [
            ("Caller fails the identity check", "Do not discuss the account"),
            ("Customer asks for a copy of their data", "Send the data-request form to privacy"),
            ("Authorised contact calls", "Discuss what they are authorised for"),
        ],
        extras=["Read out the card number"],
        skills=["privacy"],
        policy=PRIVACY,
        category="Privacy",
    ),
    essay(
        "Saying no about a relative",
        "Write what you would say to a caller asking for their brother's delivery address so "
        "they can send a surprise.",
        [("Declines clearly and kindly", 2), ("Offers a way that keeps the data private", 2)],
        "A good answer might suggest the customer asks their brother, or sends a gift card.",
        skills=["privacy", "communication"],
        policy=PRIVACY,
        sections="never-disclose",
        category="Privacy",
    ),
]

# The bank was written this many days ago: after Refunds and Returns 1.1 took effect and
# before anyone sat an assessment, so every attempt serves revisions older than itself.
BANK_WRITTEN_DAYS_AGO = 600

# The refunds questions whose figures changed with Refunds and Returns 2.0, as first written
# on 1.0 and 1.1 (a 30-day window, £50 of store credit). The trainer moved them to 2.0's
# figures once 2.0 came out, so attempts from before then served these wordings.
FIRST_WRITTEN = {
    spec["title"]: spec
    for spec in [
        single(
            "Day 40 return",
            "An unused kettle comes back 40 days after delivery, in its box. What do you offer?",
            [
                (
                    "Store credit up to £50: it is outside the 30-day window",
                    100,
                    "Right: past 30 days you may offer credit, not a refund.",
                ),
                ("A full refund", 0, "Full refunds are for returns within 30 days of delivery."),
                ("Nothing at all", 0, "Outside the window you may still offer store credit."),
            ],
            skills=["policy_knowledge"],
            policy=REFUNDS,
            sections="returns-window",
            category="Refunds",
            why="Count the days from delivery, not from the order.",
        ),
        number(
            "The returns window",
            "How many days after delivery may a customer return an unused item for a full refund?",
            [(30, 0, 100, "Yes: 30 days from delivery.")],
            other="Look at the returns window section.",
            skills=["policy_knowledge"],
            policy=REFUNDS,
            sections="returns-window",
            category="Refunds",
        ),
        number(
            "Credit on your own authority",
            "Outside the window, up to how many pounds of store credit may you offer without a "
            "team lead?",
            [(50, 0, 100, "£50; anything more needs a team lead.")],
            other="See the section on requests outside the window.",
            skills=["policy_knowledge"],
            policy=REFUNDS,
            sections="outside-the-window",
            category="Refunds",
        ),
        rank(
            "Refund on day 60",
            "An unused rug comes back on day 60 and the customer is getting angry. Rank these.",
            [
                (
                    "Acknowledge the frustration, explain the window plainly and offer store "
                    "credit up to £50",
                    "Calm, honest and within your authority.",
                ),
                (
                    "Ask a team lead to approve a full refund straight away",
                    "Possible, but skipping what you may offer yourself sets the wrong "
                    "expectation.",
                ),
                ("Read out the policy word for word", "Accurate but cold; it raises the heat."),
                (
                    "Promise a full refund to calm them down",
                    "A promise you cannot keep is a breach and a second complaint.",
                ),
            ],
            skills=["de_escalation", "policy_knowledge"],
            policy=REFUNDS,
            sections="outside-the-window",
            category="Refunds",
        ),
    ]
}
# Written when 2.0 came out, about the change itself: it has no earlier wording.
WRITTEN_FOR_2_0 = ("Explaining the new window",)

# Each demo course's certifying assessment, and its practice questions where it has some.
ASSESSMENTS = {
    "customer-service-essentials": {
        "title": "Customer service essentials: final assessment",
        "categories": ["Standards", "Refunds", "Complaints", "Privacy"],
        "random": 2,
        "minimums": {"privacy": 60},
        "practice": True,
    },
    "complaint-handling-and-de-escalation": {
        "title": "Complaints and de-escalation: final assessment",
        "categories": ["Complaints"],
    },
    "refunds-done-right": {"title": "Refunds: final assessment", "categories": ["Refunds"]},
    "privacy-in-every-conversation": {
        "title": "Privacy: final assessment",
        "categories": ["Privacy"],
        "minimums": {"privacy": 80},
    },
}


def _fill(question: Question, spec: dict, *, competencies: dict, policies: dict) -> None:
    question.category = spec["category"]
    question.stem = spec["stem"]
    question.answer = [{"type": spec["kind"], "value": spec["value"]}]
    question.general_feedback = spec["why"]
    question.policy = policies.get(spec["policy"])
    question.section_keys = spec["sections"]
    question.competencies = [competencies[key] for key in spec["skills"]]
    question.full_clean()
    question.save()


def _date(question: Question, revision: Revision, when: datetime.datetime) -> None:
    """Give a revision (and its log entry) the day it was written. Queryset updates,
    because this is invented history no editor action could produce."""
    Revision.objects.filter(pk=revision.pk).update(created_at=when)
    ModelLogEntry.objects.filter(revision=revision).update(timestamp=when)
    Question.objects.filter(pk=question.pk, created_at__gt=when).update(created_at=when)
    Question.objects.filter(pk=question.pk).update(updated_at=when)


def _lookups() -> tuple[QuestionBank, dict, dict]:
    bank = QuestionBank.objects.filter(name=BANK).first()
    if bank is None:
        bank = QuestionBank.objects.create(
            name=BANK, description="Starter questions on the four demo policies."
        )
    competencies = {c.key: c for c in Competency.objects.all()}
    policies = {p.slug: p for p in PolicyPage.objects.all()}
    return bank, competencies, policies


def seed_questions() -> list[Question]:
    """Create the demo bank's questions that do not exist yet, each with one revision
    dated when the bank was written; the refunds questions in their 1.1 wording."""
    bank, competencies, policies = _lookups()
    written = timezone.now() - datetime.timedelta(days=BANK_WRITTEN_DAYS_AGO)
    existing = {q.title: q for q in Question.objects.filter(bank=bank)}
    saved = []
    for spec in QUESTIONS:
        question = existing.get(spec["title"])
        if question is None:
            if spec["title"] in WRITTEN_FOR_2_0:
                continue
            question = Question(bank=bank, title=spec["title"])
            first = FIRST_WRITTEN.get(spec["title"], spec)
            _fill(question, first, competencies=competencies, policies=policies)
            _date(question, question.save_revision(), written)
        saved.append(question)
    return saved


def seed_refunds_2_question_updates(*, by, at: datetime.datetime) -> list[Question]:
    """The trainer's revision of the refunds questions to 2.0's figures, and the essay on
    the change, all dated ``at``; once (questions already on 2.0 are left alone)."""
    bank, competencies, policies = _lookups()
    existing = {q.title: q for q in Question.objects.filter(bank=bank)}
    changed = []
    for spec in QUESTIONS:
        title = spec["title"]
        question = existing.get(title)
        if title in WRITTEN_FOR_2_0 and question is None:
            question = Question(bank=bank, title=title)
        elif (
            title not in FIRST_WRITTEN
            or question is None
            or not _holds_first_wording(question, title)
        ):
            continue
        action = "wagtail.create" if question.pk is None else "wagtail.edit"
        _fill(question, spec, competencies=competencies, policies=policies)
        _date(question, question.save_revision(user=by, log_action=action), at)
        changed.append(question)
    # The other refunds questions on a section 2.0 changed hold no figure it changed: the
    # trainer read them again and confirmed them still correct for 2.0.
    refunds = policies.get(REFUNDS)
    version = refunds.current_version if refunds else None
    earlier = (
        refunds.versions.filter(major__lt=version.major).newest_first().first()
        if version is not None
        else None
    )
    if earlier is None:
        return changed
    reworded = set(policy_version_compare(old=earlier, new=version).changed_keys)
    for question in Question.objects.filter(bank=bank, policy=refunds).order_by("pk"):
        latest = question.revision_versions.order_by("-revision_id").first()
        if question in changed or not set(question.section_key_list) & reworded:
            continue
        if latest is not None and latest.version_id == version.pk:
            continue  # confirmed already
        _date(
            question, question_confirm_for_version(question=question, version=version, user=by), at
        )
    return changed


def _holds_first_wording(question: Question, title: str) -> bool:
    """Whether the question still holds its first wording."""
    first = FIRST_WRITTEN[title]
    as_first = Question(answer=[{"type": first["kind"], "value": first["value"]}])
    return _answer(question) == _answer(as_first)


def _answer(question: Question) -> list:
    # The API form, because the stored form gives list items ids that differ every time.
    return [
        (block.block_type, block.block.get_api_representation(block.value))
        for block in question.answer
    ]


def seed_assessments() -> dict[str, tuple[Assessment, Assessment | None]]:
    """One certifying assessment per demo course (and practice for the first), by course
    slug; fixed questions from the course's categories, essays left to practice."""
    questions = list(Question.objects.filter(bank__name=BANK).order_by("pk"))
    bank = QuestionBank.objects.get(name=BANK)
    made = {}
    for slug, spec in ASSESSMENTS.items():
        final = Assessment.objects.filter(title=spec["title"]).first()
        if final is None:
            chosen = [
                q for q in questions if q.category in spec["categories"] and q.kind != "essay"
            ]
            if spec.get("random"):
                chosen = chosen[:: max(1, len(chosen) // 12)][:12]
            final = Assessment(
                title=spec["title"],
                instructions=(
                    "Answer every question; your answers are saved each time you move to "
                    "another page. You can come back to the list before you submit."
                ),
                pass_percent=80,
                time_limit_minutes=30,
                grace_minutes=2,
                attempts_allowed=3,
                minutes_between_attempts=60,
                questions_per_page=4,
                review_answers=False,
            )
            rules = [SelectionRule(question=q) for q in chosen]
            if spec.get("random"):
                # A few de-escalation questions drawn fresh for each attempt.
                rules.append(
                    SelectionRule(
                        count=spec["random"],
                        bank=bank,
                        competency=Competency.objects.get(key="de_escalation"),
                    )
                )
            final.selection_rules = rules
            final.minimums = [
                CompetencyMinimum(
                    competency=Competency.objects.get(key=key), minimum_percent=minimum
                )
                for key, minimum in spec.get("minimums", {}).items()
            ]
            final.save()
        practice = None
        if spec.get("practice"):
            title = spec["title"].replace("final assessment", "practice questions")
            practice = Assessment.objects.filter(title=title).first()
            if practice is None:
                practice = Assessment(
                    title=title,
                    instructions="Check each page to see how you did. Practice counts for nothing.",
                    mode=AssessmentMode.PRACTICE,
                    pass_percent=80,
                    questions_per_page=3,
                )
                answerable = [q for q in questions if q.kind != "essay"]
                practice.selection_rules = [SelectionRule(question=q) for q in answerable[1::4][:9]]
                practice.save()
        made[slug] = (final, practice)
    return made
