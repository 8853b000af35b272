"""Demo role-play scenarios: a refund outside the window, a complaint against the
clock, and a caller asking about someone else's account."""

from cms.models import PolicyPage
from courses.choices import Mood, ScenarioOutcome


def say(
    line: str,
    to: str,
    feedback: str,
    *,
    mood: int = 0,
    policy: str = "",
    section: str = "",
    **scores: int,
) -> dict:
    """One choice: what the staff member says, where it leads, and how it scores.

    ``scores`` are keyword points per competency: communication, de_escalation,
    complaint_handling, policy_compliance (each -5 to 5).
    """
    policy_page = PolicyPage.objects.get(slug=policy) if policy else None
    return {
        "line": line,
        "feedback": feedback,
        "scores": {
            "communication": scores.get("communication", 0),
            "de_escalation": scores.get("de_escalation", 0),
            "complaint_handling": scores.get("complaint_handling", 0),
            "policy_compliance": scores.get("policy_compliance", 0),
        },
        "mood_change": mood,
        "policy": policy_page.pk if policy_page else None,
        "section_key": section,
        "next_step": to,
    }


def step(key: str, customer: str, *choices: dict, narration: str = "") -> dict:
    return {
        "type": "step",
        "value": {
            "key": key,
            "customer_line": customer,
            "narration": narration,
            "choices": list(choices),
            "outcome": "",
            "debrief": "",
        },
    }


def ending(key: str, customer: str, outcome: str, debrief: str, *, narration: str = "") -> dict:
    return {
        "type": "step",
        "value": {
            "key": key,
            "customer_line": customer,
            "narration": narration,
            "choices": [],
            "outcome": outcome,
            "debrief": debrief,
        },
    }


STANDARDS = "customer-service-standards"
REFUNDS = "refunds-and-returns"
COMPLAINTS = "complaints-handling"
PRIVACY = "privacy-in-customer-conversations"

RESOLVED_OR_ESCALATED = [ScenarioOutcome.RESOLVED.value, ScenarioOutcome.ESCALATED.value]


def _refund_outside_the_window() -> dict:
    return {
        "course": "customer-service-essentials",
        "title": "Refund Outside the Window",
        "slug": "refund-outside-the-window",
        "brief": (
            "You're Sam, taking calls for Harbourside Home Goods. Gareth Lloyd bought a pair "
            "of bar stools that arrived nine weeks ago; they're still boxed and he wants his "
            "money back. He's been meaning to ring for weeks and his patience is already thin."
        ),
        "persona_name": "Gareth Lloyd",
        "persona_wants": (
            "His £72 back on his card for two unused bar stools that turned out too tall for "
            "his new kitchen."
        ),
        "starting_mood": Mood.FRUSTRATED,
        "policies": [REFUNDS, STANDARDS],
        "pass_min_total": 22,
        "required_outcomes": RESOLVED_OR_ESCALATED,
        "steps": [
            step(
                "opening",
                "Yeah, hi. I bought two bar stools off you and I want my money back. They've "
                "not even been out of the box.",
                say(
                    "No problem at all. I'll book them in for return and get the £72 back on "
                    "your card this week.",
                    "refund-promised",
                    "You promised a refund before checking the dates. They arrived 63 days "
                    "ago, past the 45-day returns window, so that promise isn't yours to make.",
                    mood=1,
                    policy=REFUNDS,
                    section="returns-window",
                    communication=1,
                    policy_compliance=-4,
                ),
                say(
                    "Thanks, Gareth. I can see they arrived about nine weeks ago. Can I ask "
                    "what's happened, so I know what I can do for you?",
                    "reason",
                    "You checked the facts and let him explain before saying yes or no. "
                    "That keeps him talking and tells you what he really needs.",
                    mood=1,
                    communication=3,
                    de_escalation=2,
                ),
                say(
                    "Those were delivered over two months ago, so I'm afraid they can't come back.",
                    "flat-no",
                    "You led with what can't be done and stopped there. He has unused stools "
                    "and you have options; a flat no shuts the conversation down.",
                    mood=-2,
                    policy=STANDARDS,
                    section="plain-language",
                    communication=-2,
                    de_escalation=-3,
                    policy_compliance=-1,
                ),
                narration=(
                    "Phone call. The order on your screen: two metal bar stools, £72, "
                    "delivered 63 days ago, paid by debit card. Gareth sounds clipped."
                ),
            ),
            step(
                "reason",
                "We had the kitchen redone and the island came out lower than the plans "
                "said. They're too tall. I kept meaning to ring, and then, well, life.",
                say(
                    "To be fair, you had 45 days to send them back. You really should have "
                    "called sooner.",
                    "flat-no",
                    "Even if it's true, telling him it's his own fault only makes him defend "
                    "himself. Our standards say never blame the customer.",
                    mood=-2,
                    policy=STANDARDS,
                    section="plain-language",
                    communication=-3,
                    de_escalation=-3,
                    policy_compliance=-1,
                ),
                say(
                    "I can put them down as faulty. That gives you up to a year, and nobody "
                    "will check.",
                    "refund-promised",
                    "Calling unused, working stools faulty to get round the window is a "
                    "false record. The faulty-goods rules are for things that are faulty.",
                    mood=1,
                    policy=REFUNDS,
                    section="faulty-goods",
                    policy_compliance=-5,
                ),
                say(
                    "A new kitchen and they still don't fit, that's annoying. I'll be "
                    "straight: full refunds are for returns within 45 days of delivery, and "
                    "these came 63 days ago. They're unused, though, so I do have options.",
                    "offers",
                    "You showed you'd heard him, gave the rule once in plain numbers and "
                    "moved straight on to what you can do.",
                    policy=REFUNDS,
                    section="returns-window",
                    communication=3,
                    de_escalation=2,
                    policy_compliance=3,
                ),
            ),
            step(
                "offers",
                "Options. So I'm stuck with seventy quid of stools I can't use, is that what "
                "you're saying?",
                say(
                    "Not stuck. As they're unused, I can give you store credit for the full "
                    "£72 once they're back with us. I can set that up right now.",
                    "credit-or-cash",
                    "Store credit up to £75 for unused items outside the window is yours to "
                    "give, and £72 fits. You offered the most you could, straight away.",
                    mood=1,
                    policy=REFUNDS,
                    section="outside-the-window",
                    communication=2,
                    de_escalation=2,
                    policy_compliance=3,
                ),
                say(
                    "You could always sell them online. Stools like that go quickly.",
                    "flat-no",
                    "Telling him to sell them himself sounds like you're washing your hands "
                    "of it, when you could have offered store credit.",
                    mood=-2,
                    policy=REFUNDS,
                    section="outside-the-window",
                    communication=-2,
                    de_escalation=-2,
                    policy_compliance=-1,
                ),
                say(
                    "The only thing I can do is store credit. Take it or leave it.",
                    "flat-no",
                    "Store credit is the right offer, but 'take it or leave it' turns it into "
                    "a fight. Say what you will do, then ask whether it works for him.",
                    mood=-2,
                    policy=STANDARDS,
                    section="plain-language",
                    communication=-2,
                    de_escalation=-3,
                    policy_compliance=-1,
                ),
                narration="He lets out a long sigh.",
            ),
            step(
                "flat-no",
                "Is that it? I've spent a small fortune with you lot this year. Put me "
                "through to someone who can actually help.",
                say(
                    "I'm sorry, I put that badly. They're unused, so I can give you store "
                    "credit for the full £72, and if you'd rather have a refund I can ask my "
                    "team lead about it.",
                    "credit-or-cash",
                    "Owning the slip and then offering both things you can do turns the call "
                    "around. Better late than never.",
                    mood=1,
                    policy=REFUNDS,
                    section="outside-the-window",
                    communication=2,
                    de_escalation=2,
                    policy_compliance=2,
                ),
                say(
                    "There's no one else. Anyone you speak to will tell you the same.",
                    "customer-lost",
                    "That isn't true: a team lead can approve more than you can. Saying it "
                    "leaves him nowhere to go.",
                    mood=-2,
                    policy=REFUNDS,
                    section="outside-the-window",
                    communication=-2,
                    de_escalation=-3,
                    policy_compliance=-2,
                ),
                say(
                    "If you keep raising your voice, I'll have to end this call.",
                    "customer-lost",
                    "He's annoyed, not abusive. A warning is for abuse; using it here tells "
                    "him you'd rather end the call than help.",
                    mood=-3,
                    policy=STANDARDS,
                    section="professional-conduct",
                    communication=-2,
                    de_escalation=-4,
                    policy_compliance=-2,
                ),
                narration="His voice goes up a notch.",
            ),
            step(
                "refund-promised",
                "Brilliant, cheers. Oh, the card I paid with got cancelled last month. Can "
                "you put it on my partner's card instead?",
                say(
                    "Of course, I'll send it to your partner's card. Can you get it for me?",
                    "refund-breach",
                    "Refunds only ever go back to the card that paid, and this shouldn't be a "
                    "refund at all: the stools are outside the window.",
                    mood=1,
                    policy=REFUNDS,
                    section="refund-method",
                    policy_compliance=-5,
                ),
                say(
                    "It has to go back to the card you paid with, but your bank will usually "
                    "pass it on to your new one. I'll process it now.",
                    "refund-breach",
                    "You're right about the card, but the refund itself is the problem: it's "
                    "outside the window and needs a team lead's approval.",
                    mood=1,
                    policy=REFUNDS,
                    section="outside-the-window",
                    communication=1,
                    policy_compliance=-3,
                ),
                say(
                    "Before we go on, I need to correct myself, sorry. These arrived 63 days "
                    "ago, past our 45-day window, so I can't refund them myself. I can give "
                    "you store credit for the full £72, or ask my team lead about a refund.",
                    "credit-or-cash",
                    "Correcting yourself is awkward but right. You were honest, gave him the "
                    "real rule and still offered him something.",
                    mood=-1,
                    policy=REFUNDS,
                    section="returns-window",
                    communication=2,
                    policy_compliance=3,
                ),
                narration=(
                    "He sounds relieved. Then you notice the delivery date on screen: 63 days "
                    "ago, outside the returns window."
                ),
            ),
            step(
                "credit-or-cash",
                "Store credit? I don't want more stuff from you. I want my money back on my "
                "card, like I asked.",
                say(
                    "Fine, it's only £72. I'll just refund it to your card.",
                    "refund-breach",
                    "A refund outside the window needs a team lead's approval, recorded on "
                    "the case. Giving in to pressure makes the rules depend on who pushes.",
                    mood=2,
                    policy=REFUNDS,
                    section="outside-the-window",
                    de_escalation=1,
                    policy_compliance=-5,
                ),
                say(
                    "I understand. A refund this late needs my team lead's approval, so I "
                    "can't promise it, but I can ask her today and put your reasons on the "
                    "case. Shall I do that?",
                    "handover",
                    "Honest about your limits, and the route that can say yes, as the policy "
                    "expects. But you went straight to the money without asking why the "
                    "stools didn't work; he'll now wait for an answer you may not need.",
                    mood=1,
                    policy=REFUNDS,
                    section="outside-the-window",
                    communication=2,
                    de_escalation=2,
                    policy_compliance=3,
                ),
                say(
                    "Understood. Can I mention one thing first? We sell the same stools in "
                    "counter height, for lower islands, and the credit would cover a pair.",
                    "lower-stools",
                    "You remembered why he wanted the money back. Stools "
                    "that fit solve his real problem, today and within your own authority, "
                    "and the team lead is still there if he wants the refund.",
                    mood=1,
                    policy=REFUNDS,
                    section="outside-the-window",
                    communication=3,
                    de_escalation=3,
                    policy_compliance=3,
                ),
            ),
            step(
                "lower-stools",
                "Counter height? I didn't know you did them. Would they actually fit under a "
                "worktop about ninety centimetres high?",
                say(
                    "Yeah, they'll be fine. And if they're not, that's not really on us.",
                    "customer-lost",
                    "Guessing and then disowning the result is the opposite of owning the "
                    "outcome. Check the facts before he spends his credit.",
                    mood=-2,
                    policy=STANDARDS,
                    section="ownership",
                    communication=-3,
                    de_escalation=-2,
                    policy_compliance=-2,
                ),
                say(
                    "Let me check rather than guess. The listing says a 65 cm seat, made for "
                    "counters around 90 cm. Shall I set up the £72 credit and the return?",
                    "resolved-credit",
                    "You checked instead of guessing and closed with a clear next step. He "
                    "gets stools that fit, all within your own authority.",
                    mood=2,
                    policy=REFUNDS,
                    section="outside-the-window",
                    communication=4,
                    de_escalation=3,
                    policy_compliance=3,
                ),
                say(
                    "If you'd still prefer your money back, I can ask my team lead about a "
                    "refund instead.",
                    "handover",
                    "A fair offer that leaves the choice with him, though he'd just shown "
                    "interest in an answer you could give today.",
                    policy=REFUNDS,
                    section="outside-the-window",
                    communication=1,
                ),
            ),
            step(
                "handover",
                "Right. And how long's that going to take? They're blocking my hallway.",
                say(
                    "Hopefully not long. It depends how busy they are today.",
                    "customer-lost",
                    "He needs to know who and when. 'Hopefully' and 'it depends' sound like "
                    "his request is going into a drawer.",
                    mood=-2,
                    policy=STANDARDS,
                    section="ownership",
                    communication=-2,
                    de_escalation=-2,
                    policy_compliance=-2,
                ),
                say(
                    "I'll pass it on. If nobody's called by Friday, ring back and ask for a "
                    "team lead.",
                    "customer-lost",
                    "That's a cold handover that leaves the chasing to him. You own the "
                    "contact until you've handed it over properly.",
                    mood=-2,
                    policy=STANDARDS,
                    section="ownership",
                    communication=-1,
                    de_escalation=-2,
                    policy_compliance=-3,
                ),
                say(
                    "I'll brief Priya, my team lead, as soon as we hang up: the dates, that "
                    "they're unused and why you want a refund. She'll call you by 4 today "
                    "with her answer.",
                    "escalated-team-lead",
                    "That's a warm handover: who, by when, and he won't have to repeat "
                    "himself. His reasons go on the case too, as the policy asks.",
                    mood=2,
                    policy=STANDARDS,
                    section="ownership",
                    communication=3,
                    de_escalation=2,
                    policy_compliance=3,
                ),
            ),
            ending(
                "resolved-credit",
                "Go on then. Stools that actually fit, and I'm not out of pocket. Cheers.",
                ScenarioOutcome.RESOLVED,
                "The best ending. Outside the window you can still say yes to a lot: store "
                "credit up to £75 for unused items is yours to give. Listening for what he "
                "really needed, stools that fit, solved it on the call, with no wait for a "
                "team lead's answer.",
                narration="You add the credit, book the return and recap what happens next.",
            ),
            ending(
                "escalated-team-lead",
                "By four, then. Thanks for actually explaining it instead of just saying no.",
                ScenarioOutcome.ESCALATED,
                "A good ending: you couldn't approve the refund, so you handed it to someone "
                "who could, warmly and with the reasons on the case. A better one was open: "
                "he wanted the money because the stools were too tall, and store credit for "
                "counter-height stools would have settled it on the call.",
            ),
            ending(
                "customer-lost",
                "Forget it. They're going to the charity shop, and I won't be buying from "
                "you again.",
                ScenarioOutcome.CUSTOMER_LOST,
                "He lost more than £72 of stools: he lost faith in us. A flat no, blame or a "
                "vague handover leave the customer nowhere to go, so always say what you can "
                "do, and who will do the rest by when.",
                narration="Gareth ends the call. A one-star review appears that evening.",
            ),
            ending(
                "refund-breach",
                "Great, cheers for that.",
                ScenarioOutcome.POLICY_BREACHED,
                "Refunds outside the 45-day window need a team lead's approval recorded on "
                "the case, and refunds only go back to the card that paid. Being kind means "
                "offering what you can, like store credit, and asking for the rest.",
                narration=(
                    "The refund goes through. Next morning your team lead asks why an "
                    "out-of-window refund was made with no approval on the case."
                ),
            ),
        ],
    }


def _complaint_against_the_clock() -> dict:
    return {
        "course": "complaint-handling-and-de-escalation",
        "title": "Complaint Against the Clock",
        "slug": "complaint-against-the-clock",
        "brief": (
            "It's 4:35pm on a Friday and you're Sam on the phones. Denise Okafor's new "
            "wardrobe was put together by our delivery crew on Tuesday, and this morning it "
            "rocked forward towards her young daughter. Your team lead, Priya, is on until 6pm."
        ),
        "persona_name": "Denise Okafor",
        "persona_wants": (
            "Someone to make the wardrobe safe before the weekend, and to be taken seriously "
            "about how it happened."
        ),
        "starting_mood": Mood.ANGRY,
        "policies": [COMPLAINTS, STANDARDS],
        "pass_min_total": 23,
        "required_outcomes": RESOLVED_OR_ESCALATED,
        "steps": [
            step(
                "opening",
                "Your delivery men built my wardrobe on Tuesday and it's not right. This "
                "morning the door swung open and the whole thing tipped towards my daughter. "
                "I want someone out here.",
                say(
                    "I can book a fitter for you. The first free slot is a week on Thursday.",
                    "too-slow",
                    "Booking a visit helps, but you skipped past a child nearly being hurt. "
                    "This is a safety complaint, and it can't wait for the next free slot.",
                    mood=-1,
                    policy=COMPLAINTS,
                    section="recognise-a-complaint",
                    de_escalation=-1,
                    complaint_handling=-2,
                    policy_compliance=-1,
                ),
                say(
                    "Wardrobes can shift a bit on carpet. Have you checked it's sitting level?",
                    "blamed",
                    "This hints it's her fault before you know anything. Never blame the "
                    "customer; find out what happened first.",
                    mood=-2,
                    policy=STANDARDS,
                    section="plain-language",
                    communication=-3,
                    de_escalation=-3,
                    policy_compliance=-1,
                ),
                say(
                    "That sounds frightening. Is your daughter all right, and is anyone near "
                    "the wardrobe now?",
                    "safety-first",
                    "Asking about her daughter first shows you've heard what matters most, "
                    "and checks that the danger is over.",
                    mood=1,
                    communication=2,
                    de_escalation=3,
                    complaint_handling=1,
                ),
                narration=(
                    "Phone call. Her order shows a tall three-door wardrobe, delivered and "
                    "assembled by our crew on Tuesday. She is speaking fast."
                ),
            ),
            step(
                "safety-first",
                "She's fine, she jumped out of the way. She's four! I've shoved a chest of "
                "drawers against it, but that's not a fix, is it?",
                say(
                    "I'm so glad she's OK. Please keep her out of that room for now. I'm "
                    "logging this as a complaint, and because it's about safety my team lead "
                    "will hear about it today.",
                    "logged",
                    "You spotted a complaint without her using the word, and a safety issue "
                    "goes to a team lead the same day. Both done in one breath.",
                    mood=1,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=2,
                    de_escalation=2,
                    complaint_handling=3,
                    policy_compliance=3,
                ),
                say(
                    "That must have been a shock. Our first fitter slot is a week on "
                    "Thursday; shall I book it?",
                    "too-slow",
                    "She's unhappy with us and wants action, so it's a complaint, and a "
                    "safety one. Log it and escalate it today, not just book the next slot.",
                    mood=-1,
                    policy=COMPLAINTS,
                    section="recognise-a-complaint",
                    communication=1,
                    complaint_handling=-2,
                    policy_compliance=-2,
                ),
                say(
                    "Our crews follow the instructions, so it should be secure. Could "
                    "something have knocked it?",
                    "blamed",
                    "Defending the crew before anyone has looked sounds like you're blaming "
                    "her. Find out what happened before you take a side.",
                    mood=-2,
                    policy=STANDARDS,
                    section="plain-language",
                    communication=-3,
                    de_escalation=-3,
                    complaint_handling=-2,
                ),
            ),
            step(
                "blamed",
                "Are you saying this is my fault? Your men built it. I'm writing all of this "
                "down, and I'll be speaking to a solicitor.",
                say(
                    "You're welcome to, but there's not much I can do from here.",
                    "lost",
                    "She mentioned legal action, which must reach a team lead the same day, "
                    "and you shrugged it off. She has no reason to stay on the line.",
                    mood=-2,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=-3,
                    de_escalation=-3,
                    complaint_handling=-3,
                    policy_compliance=-3,
                ),
                say(
                    "I'll pass your comments on to the delivery team.",
                    "not-escalated",
                    "Passing comments on isn't logging a complaint, and a solicitor plus a "
                    "safety risk both need a team lead today.",
                    mood=-1,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=-1,
                    de_escalation=-1,
                    complaint_handling=-3,
                    policy_compliance=-4,
                ),
                say(
                    "I'm sorry, that came out wrong. It isn't your fault. I'm logging this as "
                    "a complaint now, and given the safety risk and what you've said, my team "
                    "lead will hear about it today.",
                    "logged",
                    "You took the remark back without arguing, then did what the policy asks: "
                    "log it and escalate it the same day.",
                    mood=1,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=2,
                    de_escalation=2,
                    complaint_handling=2,
                    policy_compliance=3,
                ),
                narration="Her voice goes cold and precise.",
            ),
            step(
                "too-slow",
                "A week on Thursday? It could come down on her tonight. Do I need to ring the "
                "local paper before anyone takes this seriously?",
                say(
                    "There's no need to involve the press. I'll add a note to the booking "
                    "for the fitter.",
                    "not-escalated",
                    "She mentioned the press and a safety risk, and you added a note. Both "
                    "must reach a team lead today, and it needs logging as a complaint.",
                    mood=-1,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=-1,
                    de_escalation=-1,
                    complaint_handling=-3,
                    policy_compliance=-4,
                ),
                say(
                    "You don't, and you're right, this can't wait. I'm logging it as a "
                    "complaint now, and as it's about safety I'm taking it to my team lead "
                    "today.",
                    "logged",
                    "You agreed with the part she was right about and escalated the same day. "
                    "Safety and the press both mean a team lead hears about it today.",
                    mood=1,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=2,
                    de_escalation=2,
                    complaint_handling=2,
                    policy_compliance=3,
                ),
                say(
                    "Please don't threaten me. I'm only trying to help.",
                    "lost",
                    "She's frightened for her child, not abusive. Treating her worry as a "
                    "threat tells her she isn't being heard.",
                    mood=-3,
                    policy=STANDARDS,
                    section="professional-conduct",
                    communication=-3,
                    de_escalation=-4,
                    complaint_handling=-2,
                    policy_compliance=-1,
                ),
                narration="She laughs, without any humour in it.",
            ),
            step(
                "logged",
                "Fine. But what actually happens now? I've got a wardrobe propped up with a "
                "chest of drawers.",
                say(
                    "You'll get a full written response within ten working days.",
                    "ack-missing",
                    "That's the deadline for the final answer, not what happens now. She "
                    "needs the case number, your name and today's next step.",
                    mood=-2,
                    policy=COMPLAINTS,
                    section="acknowledge",
                    communication=-1,
                    de_escalation=-2,
                    complaint_handling=-1,
                    policy_compliance=-1,
                ),
                say(
                    "Your case number is CMP-20417, and I'm Sam, handling it. I'll brief my "
                    "team lead before 5 and ring you back by 5:30 with when someone can make "
                    "it safe. You'll have all of this by email today too.",
                    "team-lead",
                    "That's a complete acknowledgement: case number, who's handling it and "
                    "what happens next, well inside one working day.",
                    mood=1,
                    policy=COMPLAINTS,
                    section="acknowledge",
                    communication=3,
                    de_escalation=2,
                    complaint_handling=3,
                    policy_compliance=3,
                ),
                say(
                    "An acknowledgement with your case number will be emailed to you early "
                    "next week.",
                    "ack-missing",
                    "Next week misses the one-working-day limit for acknowledging a "
                    "complaint. You have the case number now, so give it to her.",
                    mood=-2,
                    policy=COMPLAINTS,
                    section="acknowledge",
                    communication=-1,
                    de_escalation=-1,
                    complaint_handling=-2,
                    policy_compliance=-3,
                ),
                narration="You open a complaint case. The system numbers it CMP-20417.",
            ),
            step(
                "ack-missing",
                "So I just wait? What am I meant to do until then, keep my daughter out of her "
                "own bedroom?",
                say(
                    "That's how the process works, I'm afraid.",
                    "lost",
                    "Hiding behind 'the process' ignores what she asked. She needs to hear "
                    "what you are doing today, and you own that.",
                    mood=-2,
                    policy=STANDARDS,
                    section="ownership",
                    communication=-3,
                    de_escalation=-3,
                    complaint_handling=-2,
                    policy_compliance=-1,
                ),
                say(
                    "I'll mark it as urgent and someone will give you a call.",
                    "not-escalated",
                    "'Urgent' and 'someone' aren't a handover. A safety complaint goes to a "
                    "team lead today, and she should know who will call and when.",
                    mood=-1,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=-1,
                    de_escalation=-1,
                    complaint_handling=-2,
                    policy_compliance=-3,
                ),
                say(
                    "Sorry, I wasn't clear. Your case number is CMP-20417, I'm Sam and I'm "
                    "handling it. My team lead will hear about it before 5, and I'll ring "
                    "you back by 5:30.",
                    "team-lead",
                    "A good recovery: case number, your name and a time, all today. That's "
                    "what acknowledging a complaint looks like.",
                    mood=1,
                    policy=COMPLAINTS,
                    section="acknowledge",
                    communication=2,
                    de_escalation=2,
                    complaint_handling=2,
                    policy_compliance=2,
                ),
            ),
            step(
                "team-lead",
                "You actually rang back. Go on, then, what's happening?",
                say(
                    "A fitter's coming tomorrow at 9. Priya reckons the crew did it right, "
                    "though, so it's probably your floor.",
                    "lost",
                    "Nobody has looked into it yet, so that's an opinion, and it blames her. "
                    "Keep guesses about the cause out of it until the facts are in.",
                    mood=-3,
                    policy=COMPLAINTS,
                    section="investigate",
                    communication=-3,
                    de_escalation=-3,
                    complaint_handling=-2,
                    policy_compliance=-1,
                ),
                say(
                    "A fitter will come tomorrow at 9 to fix it to the wall. Priya, my team "
                    "lead, now has your complaint: she'll look into what went wrong on "
                    "Tuesday, and you'll have her written answer within ten working days.",
                    "escalated-tomorrow",
                    "She knows what happens tomorrow, who owns her complaint and when she'll "
                    "get a full answer. A warm handover and the response time in one go.",
                    mood=2,
                    policy=COMPLAINTS,
                    section="respond",
                    communication=3,
                    de_escalation=2,
                    complaint_handling=3,
                    policy_compliance=3,
                ),
                say(
                    "Good news: a fitter's coming tomorrow at 9, so that should be the end of it.",
                    "fixed-no-answers",
                    "The fix is right, but it isn't the end: she's owed a written response "
                    "within ten working days, and should know who's handling it.",
                    mood=1,
                    policy=COMPLAINTS,
                    section="respond",
                    communication=1,
                    de_escalation=1,
                    complaint_handling=-1,
                    policy_compliance=-1,
                ),
                narration=(
                    "You briefed Priya at 4:50pm. She booked a fitter to secure the wardrobe "
                    "to the wall tomorrow at 9am and took over the complaint. It's 5:20pm."
                ),
            ),
            ending(
                "escalated-tomorrow",
                "Nine tomorrow. Right. Thank you. You're the first person who's actually listened.",
                ScenarioOutcome.ESCALATED,
                "Safety, legal action and the press all mean a team lead hears about it the "
                "same day, even when a fix is easy to book. Log it, give the case number and "
                "your name, and say what happens next and when.",
            ),
            ending(
                "fixed-no-answers",
                "Nine tomorrow, fine. I'd still like to know how it happened, mind.",
                ScenarioOutcome.RESOLVED,
                "The wardrobe gets fixed, but a visit doesn't close a complaint. Tell the "
                "customer who is handling it and that a written response explaining what "
                "happened will follow within ten working days.",
            ),
            ending(
                "lost",
                "I'm done talking to you. You'll be hearing from someone else.",
                ScenarioOutcome.CUSTOMER_LOST,
                "A frightened customer needs to feel heard before anything else. Blame, "
                "shrugs and warnings push her away; an apology, a logged complaint and a "
                "same-day escalation keep her talking to you.",
                narration="Denise hangs up. Her next contact with us comes through a solicitor.",
            ),
            ending(
                "not-escalated",
                "Fine. I'll wait. Again.",
                ScenarioOutcome.POLICY_BREACHED,
                "A safety risk, a solicitor or the press must reach a team lead the same day, "
                "and the complaint must be logged and acknowledged within one working day. A "
                "note on an order or a case marked urgent is not an escalation.",
                narration=(
                    "Nothing reaches a team lead that day. On Monday Priya learns about the "
                    "wardrobe from Denise's furious email."
                ),
            ),
        ],
    }


def _calling_about_mums_account() -> dict:
    return {
        "course": "privacy-in-every-conversation",
        "title": "Calling About Mum's Account",
        "slug": "calling-about-mums-account",
        "brief": (
            "You're Sam on the phones. Tom Whitfield is calling about his mother's account: "
            "he has found a delivery note for an expensive recliner she doesn't remember "
            "ordering. He isn't listed on her account, and he's worried about her."
        ),
        "persona_name": "Tom Whitfield",
        "persona_wants": (
            "To find out what his mother, Eileen, has been ordering, and to stop anything "
            "she didn't mean to buy."
        ),
        "starting_mood": Mood.UNEASY,
        "policies": [PRIVACY, STANDARDS, COMPLAINTS],
        "pass_min_total": 27,
        "required_outcomes": RESOLVED_OR_ESCALATED,
        "steps": [
            step(
                "opening",
                "Hi. I'm ringing about my mum's account, Eileen Whitfield. There's a delivery "
                "note here for a recliner she says she never ordered. Can you tell me what "
                "she's bought recently?",
                say(
                    "Of course. Let me bring up her recent orders for you.",
                    "disclosed-orders",
                    "Tom isn't the account holder or an authorised contact, so her orders "
                    "can't be discussed with him, however genuine he sounds.",
                    mood=1,
                    policy=PRIVACY,
                    section="third-parties",
                    communication=1,
                    policy_compliance=-5,
                ),
                say(
                    "I can't talk about anyone else's account. She'll need to call us herself.",
                    "cold-refusal",
                    "The rule is right, but a blunt no and nothing else leaves a worried son "
                    "with nowhere to go. Say what you can do as well.",
                    mood=-2,
                    policy=PRIVACY,
                    section="third-parties",
                    communication=-2,
                    de_escalation=-2,
                    policy_compliance=1,
                ),
                say(
                    "That sounds worrying, and I'd like to help. First, are you listed on "
                    "your mum's account as someone we can speak to?",
                    "not-authorised",
                    "You showed you care and checked the one thing that decides what you can "
                    "discuss, before opening anything.",
                    mood=1,
                    policy=PRIVACY,
                    section="third-parties",
                    communication=3,
                    de_escalation=2,
                    policy_compliance=3,
                ),
                narration=(
                    "Phone call. Tom reads out an order number. It belongs to Mrs Eileen "
                    "Whitfield's account, which lists no authorised contacts."
                ),
            ),
            step(
                "not-authorised",
                "No, she'd never manage that. But I've got the order number and her postcode "
                "right here. That's enough, isn't it? I'm her son, not some stranger.",
                say(
                    "I can tell how much you care about her. Those details are for checking "
                    "I'm speaking to your mum herself, so I can't go through her account with "
                    "you, even as her son. But there are a couple of good ways forward.",
                    "ways-forward",
                    "Warm, a one-sentence reason, then on to what you can do. The identity "
                    "check confirms the account holder; it doesn't turn someone else into one.",
                    policy=PRIVACY,
                    section="third-parties",
                    communication=3,
                    de_escalation=2,
                    policy_compliance=3,
                ),
                say(
                    "Order number and postcode, that's two details, so yes, that'll do.",
                    "disclosed-orders",
                    "The identity check proves you're speaking to the account holder. Someone "
                    "holding her paperwork isn't her, even when the details match.",
                    mood=1,
                    policy=PRIVACY,
                    section="identity-check",
                    policy_compliance=-5,
                ),
                say(
                    "Rules are rules, I'm afraid.",
                    "cold-refusal",
                    "Quoting 'the rules' without explaining them or offering another way "
                    "sounds like you don't care what happens to his mum.",
                    mood=-2,
                    policy=STANDARDS,
                    section="plain-language",
                    communication=-3,
                    de_escalation=-2,
                ),
            ),
            step(
                "cold-refusal",
                "Are you serious? She's eighty-two, someone might be taking advantage of her, "
                "and you're hiding behind rules?",
                say(
                    "Fine, just this once. What's that order number again?",
                    "disclosed-orders",
                    "Pressure doesn't change whose account it is. Giving in now is a privacy "
                    "breach, however good his reasons.",
                    mood=1,
                    policy=PRIVACY,
                    section="third-parties",
                    de_escalation=1,
                    policy_compliance=-5,
                ),
                say(
                    "I'm sorry, I was too blunt. I can't discuss her account with you, but I "
                    "can still help, and if you think she's being taken advantage of, that "
                    "matters to us too.",
                    "ways-forward",
                    "You apologised for the tone, not the rule, and promised help. That gets "
                    "the call back on track without giving anything away.",
                    mood=1,
                    policy=PRIVACY,
                    section="third-parties",
                    communication=2,
                    de_escalation=3,
                    policy_compliance=2,
                ),
                say(
                    "If you keep talking to me like that, I'll have to end the call.",
                    "lost",
                    "He's upset, not abusive. A warning here tells him you'd rather end the "
                    "call than help.",
                    mood=-3,
                    policy=STANDARDS,
                    section="professional-conduct",
                    communication=-2,
                    de_escalation=-4,
                    policy_compliance=-2,
                ),
                narration="His voice rises.",
            ),
            step(
                "ways-forward",
                "OK. So what can I actually do? She's in the next room, but she gets muddled "
                "on the phone.",
                say(
                    "If you tell me her email address, I can at least confirm whether it's the "
                    "one on her account.",
                    "breached",
                    "We never say whether an email address has an account with us, to anyone. "
                    "It sounds small, but it gives away her personal data.",
                    policy=PRIVACY,
                    section="never-disclose",
                    policy_compliance=-4,
                ),
                say(
                    "If she's happy to come to the phone, I'll take it slowly. Once I've "
                    "checked it's her, she can add you as a contact, and then we can go "
                    "through it together.",
                    "mum-on-phone",
                    "The quickest proper route: the account holder herself, checked, choosing "
                    "to add her son. Offering to go slowly helps her too.",
                    mood=1,
                    policy=PRIVACY,
                    section="third-parties",
                    communication=3,
                    de_escalation=2,
                    policy_compliance=3,
                ),
                say(
                    "If you think someone's taking advantage of her, I can log your concern "
                    "and get my team lead to look at it today. They'd contact your mum "
                    "directly.",
                    "raise-concern",
                    "A good option when you suspect she's vulnerable: someone senior gets "
                    "involved without her details being shared with you.",
                    mood=1,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=2,
                    de_escalation=2,
                    complaint_handling=2,
                    policy_compliance=2,
                ),
            ),
            step(
                "mum-on-phone",
                "Hello, dear? Tom says I've to talk to you about a chair.",
                say(
                    "Hello, Eileen. Tom's explained everything, so I'll just add him to the "
                    "account now.",
                    "breached",
                    "You haven't checked who you're speaking to, or asked what she wants. "
                    "Adding someone to her account is her choice, after the identity check.",
                    policy=PRIVACY,
                    section="identity-check",
                    policy_compliance=-4,
                ),
                say(
                    "Hello, Mrs Whitfield, I'm Sam from Harbourside Home Goods. Before we talk "
                    "about your account, could you tell me your full name and postcode, please?",
                    "id-check",
                    "A clear introduction, an unhurried pace and the identity check first. "
                    "That's exactly how to start.",
                    mood=1,
                    policy=PRIVACY,
                    section="identity-check",
                    communication=3,
                    de_escalation=1,
                    policy_compliance=3,
                ),
                say(
                    "Mrs Whitfield, did you order this recliner or didn't you?",
                    "breached",
                    "You've discussed her order before checking it's her, and the blunt "
                    "question could upset someone who's already unsure.",
                    mood=-1,
                    policy=PRIVACY,
                    section="identity-check",
                    communication=-2,
                    de_escalation=-2,
                    policy_compliance=-4,
                ),
                narration="Tom passes the phone over. A softer, hesitant voice comes on the line.",
            ),
            step(
                "id-check",
                "Eileen Margaret Whitfield. It's BN2 4QT... no, 4QR, sorry. The email, oh, Tom "
                "set that up. It's got the cat's name in it, I think.",
                say(
                    "Without the exact email address I can't go any further, I'm afraid.",
                    "lost",
                    "The check needs two details out of three, and you hadn't tried the order "
                    "number. Being strict is right; getting stuck isn't.",
                    mood=-2,
                    policy=PRIVACY,
                    section="identity-check",
                    communication=-2,
                    de_escalation=-2,
                    policy_compliance=-1,
                ),
                say(
                    "The cat's name sounds right, so I'll take that as a match.",
                    "breached",
                    "A half-remembered email is a partial match, and the policy says never "
                    "accept one. Ask for a different detail instead.",
                    policy=PRIVACY,
                    section="identity-check",
                    policy_compliance=-4,
                ),
                say(
                    "Thank you, the postcode matches. Do you have the delivery note there? "
                    "Could you read me the order number on it?",
                    "contact-added",
                    "Name, postcode and last order number make a full check, and you picked "
                    "a detail she could give easily.",
                    mood=1,
                    policy=PRIVACY,
                    section="identity-check",
                    communication=3,
                    de_escalation=1,
                    policy_compliance=3,
                ),
                narration=(
                    "The account shows the postcode BN2 4QR and an email address beginning "
                    "with 'whiskers'."
                ),
            ),
            step(
                "contact-added",
                "Oh, good. Can Tom help me with it? He's far better with all this than I am.",
                say(
                    "Of course. Would you like me to add Tom as an authorised contact, so we "
                    "can talk to him about your account? You can remove him whenever you like.",
                    "resolved-with-tom",
                    "She chose it after a full check, and you told her she stays in control. "
                    "Now you can help them both properly.",
                    mood=1,
                    policy=PRIVACY,
                    section="third-parties",
                    communication=3,
                    de_escalation=1,
                    policy_compliance=3,
                ),
                say(
                    "Sure, pop him back on and I'll go through your orders with him.",
                    "breached",
                    "Her saying Tom can help isn't the same as adding him as an authorised "
                    "contact. Do that first, then talk to him.",
                    policy=PRIVACY,
                    section="third-parties",
                    communication=1,
                    policy_compliance=-3,
                ),
                narration="The order number matches her latest order. She has passed the check.",
            ),
            step(
                "raise-concern",
                "Please. She had a man round last month 'helping' with her computer, and now "
                "this. I want someone to look into it properly.",
                say(
                    "I'm logging this now and passing it to my team lead, Priya, today, "
                    "because your mum may be vulnerable. She'll contact your mum directly. I "
                    "can't share what's on the account, but your reference is CMP-31188, and "
                    "I'm Sam.",
                    "escalated-concern",
                    "You took his worry seriously, escalated it the same day and still kept "
                    "her details private. He leaves with a reference and a name.",
                    mood=1,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=3,
                    de_escalation=2,
                    complaint_handling=3,
                    policy_compliance=3,
                ),
                say(
                    "Honestly, that sounds like one for the police rather than us.",
                    "lost",
                    "He's asking us to act on a worry about a customer who may be vulnerable. "
                    "That goes to a team lead today, not back to him.",
                    mood=-2,
                    policy=COMPLAINTS,
                    section="escalate",
                    communication=-2,
                    de_escalation=-2,
                    complaint_handling=-3,
                    policy_compliance=-2,
                ),
                say(
                    "Let me look through her recent orders for anything odd, and I'll tell "
                    "you what I find.",
                    "breached",
                    "Looking is fine; telling him isn't. Her orders are still hers, whatever "
                    "the reason.",
                    mood=1,
                    policy=PRIVACY,
                    section="third-parties",
                    policy_compliance=-4,
                ),
            ),
            step(
                "disclosed-orders",
                "Right. And where's the recliner being delivered to? What email is it all "
                "going to? I need to know if it's actually her.",
                say(
                    "It's going to her address on Marine Parade, and the email starts with "
                    "'whiskers'.",
                    "breached",
                    "Addresses and contact details are on the never-disclose list. Each "
                    "answer makes the breach bigger.",
                    mood=1,
                    policy=PRIVACY,
                    section="never-disclose",
                    policy_compliance=-5,
                ),
                say(
                    "I need to stop there, I'm sorry. You're not on her account, and I "
                    "shouldn't have shared her orders. Is your mum able to come to the phone?",
                    "stopped-late",
                    "Stopping as soon as you realise is right, and you were honest about it. "
                    "Her orders have already been shared, though, so it's still a breach.",
                    mood=-1,
                    policy=PRIVACY,
                    section="third-parties",
                    communication=2,
                    policy_compliance=1,
                ),
                say(
                    "I can't give you the address, but I can tell you the email starts with "
                    "'whiskers'.",
                    "breached",
                    "Part of an email address is still her contact details. Half a "
                    "disclosure is still a disclosure.",
                    policy=PRIVACY,
                    section="never-disclose",
                    policy_compliance=-4,
                ),
                narration=(
                    "You read out the recliner, £649, and two smaller orders from the past month."
                ),
            ),
            ending(
                "resolved-with-tom",
                "Thanks for being so patient with her. I was expecting a fight.",
                ScenarioOutcome.RESOLVED,
                "The privacy rules protect Eileen, not our convenience. By checking her "
                "identity properly and letting her add Tom herself, you could help them both "
                "without sharing anything you shouldn't.",
                narration=(
                    "Eileen adds Tom and hands the phone back. Going through the orders "
                    "together, she remembers choosing the recliner after all."
                ),
            ),
            ending(
                "escalated-concern",
                "Thank you. That's more than I expected. I just want her to be safe.",
                ScenarioOutcome.ESCALATED,
                "You can act on a worry about a vulnerable customer without revealing her "
                "account. Log it, pass it to a team lead the same day, and give the caller a "
                "reference and your name.",
            ),
            ending(
                "lost",
                "Forget it. I'll sort this out myself.",
                ScenarioOutcome.CUSTOMER_LOST,
                "Keeping the account private was never the problem; leaving Tom with nothing "
                "was. Say no to the details and yes to a way forward: the account holder, an "
                "authorised contact or a team lead.",
                narration="The call ends.",
            ),
            ending(
                "breached",
                "Right. Thanks, that's what I needed.",
                ScenarioOutcome.POLICY_BREACHED,
                "Only the account holder, or someone she has added as an authorised contact, "
                "can discuss her account, and only after a full identity check. Good "
                "intentions on either side don't change that.",
                narration=(
                    "A call review later flags this conversation: Mrs Whitfield's account was "
                    "discussed without the checks the privacy policy requires."
                ),
            ),
            ending(
                "stopped-late",
                "Oh. Well, you've told me most of it now anyway.",
                ScenarioOutcome.POLICY_BREACHED,
                "Catching yourself was right, but the check has to come before you open the "
                "account, not after. Ask who you're speaking to, and whether they're an "
                "authorised contact, first.",
                narration="Tom goes to fetch his mum, but her orders have already been shared.",
            ),
        ],
    }


# The refund role-play as the trainer first wrote it, on Refunds and Returns 1.1 (a 30-day
# window, store credit up to £50): the stools cost £48 so the best reply still fits. The
# trainer moved it to 2.0's figures (the spec above) the day 2.0 came out.
REFUND_FIRST_WORDING = [
    ("45-day", "30-day"),
    ("45 days", "30 days"),
    ("£75", "£50"),
    ("£72", "£48"),
    ("seventy quid", "nearly fifty quid"),
]
REFUND_SLUG = "refund-outside-the-window"


def as_first_written(value):
    """A refund role-play spec (or any part of it) in its first, 1.1 wording."""
    if isinstance(value, str):
        for new, old in REFUND_FIRST_WORDING:
            value = value.replace(new, old)
        return value
    if isinstance(value, list):
        return [as_first_written(item) for item in value]
    if isinstance(value, dict):
        return {key: as_first_written(item) for key, item in value.items()}
    return value


def scenario_specs() -> list[dict]:
    """Each spec names the course (by slug) the scenario belongs to."""
    return [
        _refund_outside_the_window(),
        _complaint_against_the_clock(),
        _calling_about_mums_account(),
    ]


__all__ = [
    "REFUND_SLUG",
    "Mood",
    "ScenarioOutcome",
    "as_first_written",
    "ending",
    "say",
    "scenario_specs",
    "step",
]
