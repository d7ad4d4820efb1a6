"""Randomized fault runs: reports, replies and delivery reports while the worker is killed,
Redis flushed or restarted, PostgreSQL restarted and the SMS API failing, in a random order
drawn from a seed. Each run checks that no report whose reporter saw a case number is lost,
that deadlines escalate after recovery, that no responder got an alert twice outside the
ambiguous window (marked on the row), and that nothing is left stuck.

Replay one seed alone: ``FAULT_SEED=1007 python3 dev.py test tests/faults``. ``FAULT_RUNS``
sets how many seeds a run takes (50 by default, from ``FAULT_BASE_SEED``, 1000).
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import time
from collections import Counter
from datetime import timedelta

import pytest
import redis
import requests
import sqlalchemy as sa
from rq.utils import current_timestamp

from app.cases.models import Case
from app.clock import utcnow
from app.extensions import db
from app.referral.models import Alert, ReferralWave
from app.sandbox.models import Direction, SandboxMessage
from app.sms.models import OutboundSms
from app.sms.schedule import send_job_id
from app.sms.status import RANK, SmsStatus
from app.worker.queue import state
from tests.conftest import WEBHOOK_TOKEN
from tests.e2e.e2e_helpers import report_inputs
from tests.faults.fault_world import RECONCILE, STATS, World
from tests.integration.referral.referral_helpers import KARIAKOO, KISUTU, responder
from tests.servers import needs_pg_binaries, needs_redis_server
from tests.workers import REAL_SERVICES

BASE = int(os.environ.get("FAULT_BASE_SEED", "1000"))
SEEDS = ([int(os.environ["FAULT_SEED"])] if os.environ.get("FAULT_SEED")
         else list(range(BASE, BASE + int(os.environ.get("FAULT_RUNS", "50")))))
FAULTS = ("kill_worker", "flush_redis", "restart_redis", "restart_pg", "sms_fail",
          "sms_throttle", "sms_timeout", "sms_undeliverable")
SENT = (SmsStatus.SUBMITTED, SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.FAILED)

pytestmark = [
    pytest.mark.slow, needs_pg_binaries, needs_redis_server,
    pytest.mark.skipif(not REAL_SERVICES, reason="the fault suite runs with the PostgreSQL and "
                       "Redis suite (DATABASE_URL and REDIS_URL set); it starts its own "
                       "private servers to break"),
]


@pytest.fixture(scope="session")
def people(fault_world: World) -> list[str]:
    """Two responders in Kariakoo (first wave), one in Kisutu (the escalation)."""
    assert fault_world.app is not None
    with fault_world.app.app_context():
        found = [responder("police_gcd", ward=KARIAKOO).phone,
                 responder("social_welfare", ward=KARIAKOO).phone,
                 responder("ward_executive", ward=KISUTU).phone]
        db.session.remove()
    return found


@pytest.fixture(scope="session")
def inputs(fault_world: World) -> list[str]:
    assert fault_world.app is not None
    with fault_world.app.app_context():
        keys = report_inputs(consent=False, landmark=None)
        db.session.remove()
    return keys


def hop(world: World, session: str, phone: str, text: str) -> str:
    try:
        res = requests.post(f"{world.url}/at/{WEBHOOK_TOKEN}/ussd", timeout=10, data={
            "sessionId": session, "serviceCode": "*149*46#", "phoneNumber": phone,
            "networkCode": "63902", "text": text})
    except requests.RequestException:
        return "END (no answer)"
    return res.text


@pytest.mark.parametrize("seed", SEEDS)
def test_fault_run(fault_world: World, people: list[str], inputs: list[str], seed: int) -> None:
    print(f"fault run seed={seed}; replay alone: FAULT_SEED={seed} python3 dev.py test "
          "tests/faults")
    rng = random.Random(seed)
    world = fault_world
    world.reset()
    world.ensure_worker()
    n_reports = rng.randint(2, 3)
    steps = [(r, k) for r in range(n_reports) for k in range(1, len(inputs) + 1)]
    schedule: dict[int, str] = {}
    for fault in rng.sample(FAULTS, rng.randint(1, 3)):
        schedule.setdefault(rng.randrange(len(steps)), fault)
    print(f"seed={seed}: {n_reports} reports, faults at steps "
          f"{sorted(schedule.items())} of {len(steps)}")
    taken: dict[int, str] = {}
    aborted: set[int] = set()
    pg_down, killed, n_faults, inbound = False, False, 0, 0
    for i, (r, k) in enumerate(steps):
        if i in schedule:
            n_faults += 1
            pg_down, killed = inject(world, schedule[i], rng, people, pg_down, killed)
        elif pg_down and rng.random() < 0.3:
            world.pg.start()
            pg_down = False
        if r in aborted or r in taken:
            continue
        screen = hop(world, f"fault-{seed}-{r}", f"+2557549{seed % 1000:03d}{r:02d}",
                     "*".join(inputs[:k]))
        if screen.startswith("END"):
            found = re.search(r"\b(\d{7})\b", screen)
            if k == len(inputs) and found:
                taken[r] = found[1]
                if rng.random() < 0.5:  # a responder answers soon after
                    inbound += 1
                    reply(world, rng.choice(people[:2]), f"KUBALI {found[1]}",
                          f"in-{seed}-{inbound}")
            else:
                aborted.add(r)  # the reporter saw the hotline numbers, not a case number
    recover(world, people, pg_down, killed)
    lost, duplicates, ambiguous = check(world, taken, killed)
    STATS["runs"] += 1
    STATS["faults"] += n_faults
    STATS["taken"] += len(taken)
    STATS["lost"] += lost
    STATS["duplicates"] += duplicates
    STATS["ambiguous"] += ambiguous
    print(f"seed={seed}: {len(taken)} taken, {lost} lost, {duplicates} duplicates, "
          f"{ambiguous} possible duplicates marked")
    assert (lost, duplicates) == (0, 0), f"seed {seed}: {lost} lost, {duplicates} duplicates"


def inject(world: World, fault: str, rng: random.Random, people: list[str], pg_down: bool,
           killed: bool) -> tuple[bool, bool]:
    if fault == "kill_worker":
        world.kill_worker()
        if rng.random() < 0.5:
            world.ensure_worker()
        return pg_down, True
    if fault == "flush_redis":
        world.redis_client().flushdb()
    elif fault == "restart_redis":
        world.restart_redis()
    elif fault == "restart_pg" and not pg_down:
        world.pg.stop("immediate")
        return True, killed
    elif fault.startswith("sms_"):
        world.phone_mode(rng.choice(people), fault.removeprefix("sms_"))
    return pg_down, killed


def reply(world: World, phone: str, text: str, provider_id: str) -> None:
    # A reply lost to a fault is the responder's to repeat, as AT would post it again.
    with contextlib.suppress(requests.RequestException):
        requests.post(f"{world.url}/at/{WEBHOOK_TOKEN}/sms/inbound", timeout=10, data={
            "from": phone, "to": "15000", "text": text, "date": "2026-12-02 06:00:00",
            "id": provider_id})


def recover(world: World, people: list[str], pg_down: bool, killed: bool) -> None:
    if pg_down:
        world.pg.start()
    world.wait(world.ready, 30, "linda serve after recovery")
    for phone in people:
        world.phone_mode(phone, "normal")
    world.ensure_worker()


def fast_forward() -> None:
    """Time passes: backoffs end, and the lease of a try lost to a fault (a killed worker, a
    database gone between claim and outcome: claimed over 15 s ago) runs out, as it would
    after its 2 minutes.

    A backoff lives in two places: the row's ``next_attempt_at`` and the RQ scheduled job of
    that try (``sms-N-k``, due at the same moment). Both move, or the sweeper finds the job
    still waiting for its real 30-120 s and leaves it, as it must (seed 1022).
    """
    now = utcnow()
    waiting = db.session.execute(sa.select(OutboundSms.id, OutboundSms.attempts).where(
        OutboundSms.status == SmsStatus.QUEUED, OutboundSms.next_attempt_at > now)).all()
    db.session.execute(sa.update(OutboundSms).where(
        OutboundSms.status == SmsStatus.QUEUED, OutboundSms.next_attempt_at > now)
        .values(next_attempt_at=now))
    if waiting:
        with contextlib.suppress(redis.RedisError):  # Redis may be restarting: next poll
            registry = state().queues["sms"].scheduled_job_registry
            for message_id, attempts in waiting:
                registry.connection.zadd(registry.key, {
                    send_job_id(message_id, attempts): current_timestamp()}, xx=True)
    db.session.execute(sa.update(OutboundSms).where(  # a send takes a few seconds at most
        OutboundSms.status == SmsStatus.SENDING,
        OutboundSms.claimed_at < now - timedelta(seconds=15),
        OutboundSms.claimed_at > now - timedelta(seconds=125))
        .values(claimed_at=now - timedelta(seconds=125)))
    db.session.commit()


def check(world: World, taken: dict[int, str], killed: bool) -> tuple[int, int, int]:
    assert world.app is not None
    with world.app.app_context():
        ranks: dict[int, int] = {}
        end = time.monotonic() + 45
        ok = False
        while time.monotonic() < end:
            world.ensure_worker()  # a supervisor (systemd Restart=always) restarts a dead one
            try:
                db.session.rollback()
                fast_forward()
                for row_id, status in db.session.execute(
                        sa.select(OutboundSms.id, OutboundSms.status)):
                    # queued <-> sending is a retry; once the provider took it, only forward.
                    before = ranks.get(row_id)
                    if before is not None and before >= RANK[SmsStatus.SUBMITTED]:
                        assert RANK[status] >= before, f"SMS {row_id} moved back to {status}"
                    ranks[row_id] = RANK[status]
                ok = settled(taken)
            except AssertionError:
                raise
            except Exception:  # the database is still starting
                db.session.rollback()
            if ok:
                break
            time.sleep(0.5)
        time.sleep(1)  # late delivery reports
        db.session.rollback()
        lost = sum(1 for ref in taken.values() if not case_exists(ref))
        late = sum(1 for ref in taken.values() if case_exists(ref) and not first_alert_sent(ref))
        late_rows = [describe_first_alert(ref) for ref in taken.values()
                     if case_exists(ref) and not first_alert_sent(ref)]
        queues = registries() if late_rows else {}
        stuck = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundSms)
                                  .where(OutboundSms.status == SmsStatus.SENDING))
        overdue = db.session.scalar(sa.select(sa.func.count()).select_from(ReferralWave).where(
            ReferralWave.closed_at.is_(None),
            ReferralWave.deadline_at < utcnow() - timedelta(seconds=RECONCILE + 8)))
        duplicates, ambiguous = count_duplicates()
        open_waves = [(w.id, w.case_id, w.number, w.deadline_at.isoformat())
                      for w in db.session.scalars(
                          sa.select(ReferralWave).where(ReferralWave.closed_at.is_(None)))]
        db.session.remove()
    if overdue:
        print(f"open waves: {open_waves}; now {utcnow().isoformat()}; worker log:\n"
              + "\n".join(world.log.read_text(errors="replace").splitlines()[-60:]))
    assert stuck == 0, "an SMS is still claimed by a worker after recovery"
    assert overdue == 0, "a wave is past its deadline + one reconcile interval after recovery"
    STATS["late"] += late
    if late:  # what the next person needs to diagnose it: the rows, RQ, the processes
        print(f"late first alerts: {late_rows}; now {utcnow().isoformat()}; RQ: "
              f"{queues}; log:\n"
              + "\n".join(world.log.read_text(errors="replace").splitlines()[-80:]))
    assert late == 0, f"{late} case(s) whose first alert was not sent within the recovery window"
    return lost, duplicates, ambiguous


def describe_first_alert(reference: str) -> dict[str, object]:
    case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
    assert case is not None
    first = db.session.scalar(sa.select(Alert).where(Alert.case_id == case.id)
                              .order_by(Alert.id).limit(1))
    sms = db.session.get(OutboundSms, first.sms_id) if first and first.sms_id else None
    if sms is None:
        return {"case": case.id, "alert": first.id if first else None, "sms": None}
    return {"case": case.id, "alert": first.id, "sms": sms.id, "status": sms.status.value,
            "attempts": sms.attempts, "next_attempt_at": sms.next_attempt_at.isoformat(),
            "claimed_at": sms.claimed_at.isoformat() if sms.claimed_at else None,
            "provider_status": sms.provider_status, "reason": sms.failure_reason}


def registries() -> dict[str, object]:
    """Job ids in each RQ registry of the private Redis (never personal data: ids only)."""
    try:
        out: dict[str, object] = {}
        for name, q in state().queues.items():
            out[name] = {"queued": q.get_job_ids(),
                         "scheduled": q.scheduled_job_registry.get_job_ids(),
                         "started": q.started_job_registry.get_job_ids(),
                         "failed": q.failed_job_registry.get_job_ids()}
        return out
    except redis.RedisError as exc:
        return {"error": type(exc).__name__}


def case_exists(reference: str) -> bool:
    return db.session.scalar(sa.select(Case.id).where(Case.reference == reference)) is not None


def settled(taken: dict[int, str]) -> bool:
    if not all(first_alert_sent(ref) for ref in taken.values()):
        return False
    overdue = db.session.scalar(sa.select(sa.func.count()).select_from(ReferralWave).where(
        ReferralWave.closed_at.is_(None),
        ReferralWave.deadline_at < utcnow() - timedelta(seconds=RECONCILE + 2)))
    sending = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundSms)
                                .where(OutboundSms.status == SmsStatus.SENDING))
    return overdue == 0 and sending == 0


def first_alert_sent(reference: str) -> bool:
    case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
    if case is None:
        return False
    first = db.session.scalar(sa.select(Alert).where(Alert.case_id == case.id)
                              .order_by(Alert.id).limit(1))
    if first is None or first.sms_id is None:
        return False
    sms = db.session.get(OutboundSms, first.sms_id)
    return sms is not None and sms.submitted_at is not None and sms.status in SENT


def count_duplicates() -> tuple[int, int]:
    """Alerts the sandbox accepted more often than Linda submitted them: outside the
    ambiguous window unless a row of that message is marked ``possible_duplicate``."""
    accepted = Counter(
        (m.phone_hash, m.text) for m in db.session.scalars(
            sa.select(SandboxMessage).where(SandboxMessage.direction == Direction.TO_PHONE,
                                            SandboxMessage.delivery.is_not(None))))
    rows: dict[tuple[str, str], list[OutboundSms]] = {}
    for row in db.session.scalars(sa.select(OutboundSms).where(OutboundSms.purpose == "alert")):
        rows.setdefault((row.to_hash, row.body), []).append(row)
    duplicates = ambiguous = 0
    for key, group in rows.items():
        extra = accepted[key] - sum(1 for r in group if r.submitted_at is not None)
        if extra > 0:
            if any(r.possible_duplicate for r in group):
                ambiguous += extra
            else:
                duplicates += extra
    return duplicates, ambiguous
