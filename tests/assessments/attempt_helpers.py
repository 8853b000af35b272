"""Turning answers (in answer-key terms) into the form a learner's browser would post."""

from django.http import QueryDict

from assessments.answers import form_fields


def answer_fields(item, answer) -> dict[str, list[str]]:
    """The form fields for one item, naming options by the place they were shown in."""
    return form_fields(item.kind, item.order, answer, f"q{item.position}")


def form(*pairs, **extra) -> QueryDict:
    data = QueryDict(mutable=True)
    for item, answer in pairs:
        for key, values in answer_fields(item, answer).items():
            data.setlist(key, values)
    for key, value in extra.items():
        data[key] = str(value)
    return data
