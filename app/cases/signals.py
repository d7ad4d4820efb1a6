"""What the cases feature tells others, so that ``cases`` never imports ``referral``.

Receivers run inside the sender's transaction: rows they add commit (or roll back) with it, and
jobs they need are queued with ``enqueue_after_commit``.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

#: sender: Case (flushed, status ``received``). Sent inside the transaction that created it.
case_created = signals.signal("case-created")

#: sender: Case; kwargs: old (CaseStatus), new (CaseStatus), event (CaseEvent). Sent after a
#: status change, inside the same transaction.
case_status_changed = signals.signal("case-status-changed")

#: sender: Case. Staff released a case held for review (past its phone's daily limit): it looks
#: for responders as a new case does. Sent inside the releasing transaction.
case_released = signals.signal("case-released")
