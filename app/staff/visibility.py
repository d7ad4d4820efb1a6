"""Which cases a staff member may open: the one rule every case route checks."""

from __future__ import annotations

from app.cases.models import Case
from app.staff.auth import CASE_ROLES
from app.staff.models import StaffRole, StaffUser


def can_see(user: StaffUser, case: Case) -> bool:
    if user.role not in CASE_ROLES:
        return False
    if user.role is StaffRole.AGENT:
        return case.region_id in user.region_ids
    return True


#: Roles that call reporters back; an admin runs the system and does not need the number.
CALLER_ROLES = (StaffRole.SUPERVISOR, StaffRole.AGENT)


def can_reveal_phone(user: StaffUser, case: Case) -> bool:
    """Only when the reporter consented to a call back, and only for the roles that call."""
    return case.callback_consent and can_see(user, case) and user.role in CALLER_ROLES
