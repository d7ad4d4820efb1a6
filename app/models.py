"""Import every model so that metadata, Alembic and ``create_all`` see the whole schema."""

from app.cases.models import Case, CaseEventRecord
from app.gazetteer.models import Council, Region, Ward
from app.referral.models import Alert, ReferralWave, Responder
from app.sandbox.models import SandboxMessage, SandboxPhone
from app.sms.models import DeliveryReport, InboundSms, OutboundSms
from app.smsreport.models import SmsReport
from app.staff.models import AuditEntry, StaffUser
from app.ussd.models import UssdDraft, UssdPreference, UssdSession, UssdSessionEvent

__all__ = [
    "Alert",
    "AuditEntry",
    "Case",
    "CaseEventRecord",
    "Council",
    "DeliveryReport",
    "InboundSms",
    "OutboundSms",
    "ReferralWave",
    "Region",
    "Responder",
    "SandboxMessage",
    "SandboxPhone",
    "SmsReport",
    "StaffUser",
    "UssdDraft",
    "UssdPreference",
    "UssdSession",
    "UssdSessionEvent",
    "Ward",
]
