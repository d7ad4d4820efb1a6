"""What the SMS feature tells others, so that ``sms`` never imports ``referral``.

Receivers run inside the sender's transaction: rows they add commit (or roll back) with it.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

#: sender: OutboundSms; kwargs: old (SmsStatus), new (SmsStatus). Sent when a message moves
#: to SUBMITTED, SENT, DELIVERED, FAILED or EXPIRED.
sms_status_changed = signals.signal("sms-status-changed")

#: sender: InboundSms (already stored). A receiver that handles the message sets
#: ``handled_at``/``outcome`` and queues any reply with ``queue_sms``.
inbound_sms_received = signals.signal("inbound-sms-received")
