"""What a report says about a child, as plain values: category, labour kind, how many, when,
and where the report came from.

The USSD menu and the referral rules speak this vocabulary without a database, so it lives
apart from ``cases.models``: no Flask or SQLAlchemy import, here or below.
"""

from __future__ import annotations

import enum


class CaseCategory(enum.StrEnum):
    TRANSPORTED = "transported"  # taken or moved by strangers
    FORCED_LABOUR = "forced_labour"  # domestic, mining, fishing, farming…
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    BEGGING = "begging"
    FALSE_PROMISE = "false_promise"  # promised a job or school far away
    OTHER = "other"


class LabourKind(enum.StrEnum):
    DOMESTIC = "domestic"
    MINING = "mining"
    FISHING = "fishing"
    FARMING = "farming"
    OTHER = "other"


class ChildrenCount(enum.StrEnum):
    ONE = "1"
    FEW = "2-5"
    MANY = "6+"
    UNKNOWN = "unknown"


class SeenWhen(enum.StrEnum):
    NOW = "now"
    THIS_WEEK = "this_week"
    EARLIER = "earlier"


class CaseSource(enum.StrEnum):
    USSD = "ussd"
    SMS = "sms"  # a report by plain SMS (app.smsreport)
    STAFF = "staff"
    CLI = "cli"
