"""Turning answers (in answer-key terms) into the form a learner's browser would post."""

from django.http import QueryDict

from assessments.answers import RANKED_KINDS


def answer_fields(item, answer) -> dict[str, list[str]]:
    """The form fields for one item, naming options by the place they were shown in."""
    name = f"q{item.position}"
    place = {original: index for index, original in enumerate(item.order)}
    if answer is None:
        return {}
    if item.kind == "single_choice":
        return {name: [str(place[answer])]}
    if item.kind == "multiple_response":
        return {name: [str(place[index]) for index in answer]}
    if item.kind == "true_false":
        return {name: ["true" if answer else "false"]}
    if item.kind == "matching":
        return {f"{name}-{i}": [str(place[given])] for i, given in enumerate(answer)}
    if item.kind in RANKED_KINDS:
        rank = {original: number for number, original in enumerate(answer, start=1)}
        return {
            f"{name}-{shown}": [str(rank[original])] for shown, original in enumerate(item.order)
        }
    return {name: [str(answer)]}


def form(*pairs, **extra) -> QueryDict:
    data = QueryDict(mutable=True)
    for item, answer in pairs:
        for key, values in answer_fields(item, answer).items():
            data.setlist(key, values)
    for key, value in extra.items():
        data[key] = str(value)
    return data
