import contextlib

from flask import Flask

from app.extensions import db
from app.staff.models import AuditEntry
from app.staff.services import audit
from app.worker.queue import enqueue, enqueue_after_commit, state

CALLS: list[str] = []


def record_call(tag: str) -> None:
    CALLS.append(tag)


def test_jobs_are_queued_only_after_commit(app: Flask, run_jobs) -> None:
    CALLS.clear()
    audit("test", "thing")
    enqueue_after_commit(record_call, "a", job_id="test-a")
    assert state().queues["default"].count == 0
    db.session.commit()
    assert state().queues["default"].count == 1
    assert run_jobs() == 1
    assert CALLS == ["a"]


def test_rollback_drops_pending_jobs(app: Flask) -> None:
    audit("test", "thing")
    enqueue_after_commit(record_call, "b", job_id="test-b")
    db.session.rollback()
    db.session.commit()
    assert state().queues["default"].count == 0
    assert db.session.query(AuditEntry).count() == 0


def test_a_released_savepoint_queues_its_jobs_only_when_the_transaction_commits(
        app: Flask) -> None:
    audit("test", "thing")
    with db.session.begin_nested():  # e.g. a case created in a savepoint by a USSD hop
        enqueue_after_commit(record_call, "d", job_id="test-d")
    assert state().queues["default"].count == 0  # a worker would not find the rows yet
    db.session.commit()
    assert state().queues["default"].get_job_ids() == ["test-d"]


def test_a_rolled_back_savepoint_drops_only_its_own_jobs(app: Flask) -> None:
    audit("test", "thing")
    enqueue_after_commit(record_call, "e", job_id="test-e")
    with contextlib.suppress(ValueError), db.session.begin_nested():
        enqueue_after_commit(record_call, "f", job_id="test-f")
        with db.session.begin_nested():
            enqueue_after_commit(record_call, "g", job_id="test-g")
        raise ValueError("the savepoint's rows are gone, so is its work")
    db.session.commit()
    assert state().queues["default"].get_job_ids() == ["test-e"]


def test_same_job_id_is_queued_once_then_again_after_it_ran(app: Flask, run_jobs) -> None:
    CALLS.clear()
    assert enqueue(record_call, "c", job_id="test-c")
    assert not enqueue(record_call, "c", job_id="test-c")
    run_jobs()
    assert enqueue(record_call, "c", job_id="test-c")
    run_jobs()
    assert CALLS == ["c", "c"]


def test_health_endpoints(client) -> None:
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.get_json()
    assert {k: body["checks"][k] for k in ("database", "redis")} == {"database": "ok",
                                                                    "redis": "ok"}
