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


def scenario_specs() -> list[dict]:
    """Each spec names the course (by slug) the scenario belongs to."""
    return []


__all__ = ["Mood", "ScenarioOutcome", "ending", "say", "scenario_specs", "step"]
