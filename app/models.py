"""Import every model so that metadata, Alembic and ``create_all`` see the whole schema."""

from app.cases.models import Case, CaseEventRecord
from app.gazetteer.models import Council, Region, Ward
from app.sandbox.models import SandboxMessage, SandboxPhone
from app.sms.models import InboundSms, OutboundSms
from app.staff.models import AuditEntry, StaffUser

__all__ = [
    "AuditEntry",
    "Case",
    "CaseEventRecord",
    "Council",
    "InboundSms",
    "OutboundSms",
    "Region",
    "SandboxMessage",
    "SandboxPhone",
    "StaffUser",
    "Ward",
]
