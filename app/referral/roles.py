"""The eight responder roles of the contract, and what they are called on a phone."""

from __future__ import annotations

import enum


class ResponderRole(enum.StrEnum):
    POLICE_GCD = "police_gcd"  # police Gender and Children's Desk (Dawati la Jinsia na Watoto)
    SOCIAL_WELFARE = "social_welfare"  # Afisa Ustawi wa Jamii
    WARD_EXECUTIVE = "ward_executive"  # Afisa Mtendaji wa Kata
    VILLAGE_EXECUTIVE = "village_executive"  # Afisa Mtendaji wa Kijiji/Mtaa
    COMMUNITY_DEVELOPMENT = "community_development"  # Afisa Maendeleo ya Jamii
    HEALTH = "health"  # hospital or One Stop Centre
    SHELTER = "shelter"  # a vetted safe house
    HOTLINE_SUPERVISOR = "hotline_supervisor"  # alerted when every wave ran out


def parse_role(raw: str) -> ResponderRole:
    """The role named by ``raw`` (case-insensitive).

    Raises:
        ValueError: not one of the eight roles; the message lists them.
    """
    try:
        return ResponderRole(raw.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in ResponderRole)
        raise ValueError(f"unknown role {raw.strip()!r}: use one of {known}") from None
