"""Signals other modules subscribe to, so that assessments never import them."""

from django.dispatch import Signal

# Both are sent after the transaction that made the change commits, with ``attempt``.
attempt_started = Signal()
attempt_graded = Signal()
