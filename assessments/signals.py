"""Signals other modules subscribe to, so that assessments never import them."""

from django.dispatch import Signal

# Sent with ``attempt`` once the transaction that started it commits.
attempt_started = Signal()
# Sent with ``attempt`` inside the transaction that graded it.
attempt_graded = Signal()
