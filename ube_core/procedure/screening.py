"""Screening an inbound contact against a restriction (§5, §7, §8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .events import Contact
from .vocabulary import ExclusionTopic, RestrictionType, Screen

if TYPE_CHECKING:
    from .state import RestrictionState


def exclusion_topic(topic: str | None) -> ExclusionTopic | None:
    """The §7 exclusion that ``topic`` names, if any."""
    if topic is None:
        return None
    try:
        return ExclusionTopic(topic.strip().lower())
    except ValueError:
        return None


def broken_arrangements(contact: Contact, restriction: RestrictionState) -> list[str]:
    """The arrangements this contact breaks, in plain words; empty when it keeps to them all."""
    broken: list[str] = []
    if restriction.allowed_channels and contact.channel not in restriction.allowed_channels:
        allowed = ", ".join(sorted(c.label.lower() for c in restriction.allowed_channels))
        broken.append(f"{contact.channel.label.lower()} is not an allowed channel (only {allowed})")
    if RestrictionType.SPOC in restriction.types and not contact.via_spoc:
        broken.append("contact must come through the single point of contact")
    if RestrictionType.WRITTEN_ONLY in restriction.types and not contact.channel.is_written:
        broken.append(f"only written contact is accepted, not {contact.channel.label.lower()}")
    return broken


def screen_contact(contact: Contact, restriction: RestrictionState | None) -> Screen:
    """Allowed, exclusion (breaks the arrangements but must be handled) or breach (rule 5).

    Types such as third party, pre-arranged calls or frequency limits are not screened by
    channel: the officer judges them.
    """
    if restriction is None or not broken_arrangements(contact, restriction):
        return Screen.ALLOWED
    return Screen.EXCLUSION if exclusion_topic(contact.topic) else Screen.BREACH
