"""What sourcing announces to the apps built on it, which subscribe in their ``AppConfig.ready``."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the award's transaction, after the award and its signature are saved: ``award=``, ``actor=``.
# A receiver that raises rolls the award back (contracts drafts the work order here).
award_signed = Signal()
