"""Import every model so that metadata, Alembic and ``create_all`` see the whole schema."""

from app.broadcast.models import Broadcast, BroadcastRecipient, BroadcastReply
from app.cases.models import Case, CaseEventRecord
from app.centres.models import Centre, CentreContact, Placement
from app.followup.models import CaseOutcome, CheckIn
from app.gazetteer.models import Council, GazetteerVersion, Region, Ward
from app.referral.models import Alert, ReferralWave, Responder
from app.sandbox.models import SandboxMessage, SandboxPhone
from app.sms.models import DeliveryReport, InboundSms, OutboundSms
from app.smsreport.models import SmsReport
from app.staff.models import AuditEntry, StaffUser
from app.stats.models import CaseWeek, DurationWeek, RollupState, UssdWeek
from app.ussd.models import UssdDraft, UssdPreference, UssdSession, UssdSessionEvent

__all__ = [
    "Alert",
    "AuditEntry",
    "Broadcast",
    "BroadcastRecipient",
    "BroadcastReply",
    "Case",
    "CaseEventRecord",
    "CaseOutcome",
    "CaseWeek",
    "Centre",
    "CentreContact",
    "CheckIn",
    "Council",
    "DeliveryReport",
    "DurationWeek",
    "GazetteerVersion",
    "InboundSms",
    "OutboundSms",
    "Placement",
    "ReferralWave",
    "Region",
    "Responder",
    "RollupState",
    "SandboxMessage",
    "SandboxPhone",
    "SmsReport",
    "StaffUser",
    "UssdDraft",
    "UssdPreference",
    "UssdSession",
    "UssdSessionEvent",
    "UssdWeek",
    "Ward",
]
