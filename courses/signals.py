"""Sent with ``course`` once the transaction that moved a course onto newer policy
versions commits; learning subscribes to complete what was waiting for it."""

from django.dispatch import Signal

course_pins_changed = Signal()
