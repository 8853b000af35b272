"""Sent with ``version`` once the transaction that recorded a policy version commits;
apps above cms (learning) subscribe to start recertification."""

from django.dispatch import Signal

policy_version_recorded = Signal()
