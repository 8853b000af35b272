"""Sent with ``certificate`` once the transaction that issued it commits."""

from django.dispatch import Signal

certificate_issued = Signal()
