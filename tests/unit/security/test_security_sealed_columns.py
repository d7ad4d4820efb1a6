"""Finding 5: every text column of every table is sealed, a blind index, or justified here.

Other features add tables; this test reads them all from the metadata, so a new column that
could hold what a person typed fails here until it is sealed or explained.
"""

from __future__ import annotations

import sqlalchemy as sa

import app.models  # noqa: F401  (every table in the metadata)
from app.extensions import db

#: ``table.column`` → why plaintext is safe. Keep it short: nothing a person typed belongs here.
ALLOWED_PLAINTEXT: dict[str, str] = {
    # Public reference data (NBS census, GeoNames).
    **{f"{t}.{c}": "public gazetteer data" for t, c in (
        ("regions", "id"), ("regions", "name"), ("regions", "pcode"), ("regions", "alt_names"),
        ("councils", "id"), ("councils", "region_id"), ("councils", "name"),
        ("councils", "council_type"), ("councils", "known_as"), ("wards", "id"),
        ("wards", "council_id"), ("wards", "name"), ("wards", "search_key"))},
    "alembic_version.version_num": "migration bookkeeping",
    # Labels chosen from lists, ids, codes: never typed by a reporter or responder.
    "cases.reference": "the case number (public to the reporter and responders)",
    "cases.region_id": "gazetteer id", "cases.council_id": "gazetteer id",
    "cases.ward_id": "gazetteer id", "cases.language": "sw or en",
    "cases.ussd_session_id": "AT's session id",
    "cases.flag_reason": "written by Linda from a fixed template (report count)",
    "case_events.kind": "event label", "case_events.from_status": "status label",
    "case_events.to_status": "status label", "case_events.actor": "responder:<id>, cli:<user>",
    "case_events.detail": "JSON of ids, counts and labels; never free text",
    "audit_log.actor": "staff:<id>, cli:<os user>, system",
    "audit_log.action": "action label", "audit_log.target_kind": "table label",
    "audit_log.target_id": "row id", "audit_log.detail": "JSON of ids, counts and labels",
    "responders.uid": "random row anchor of the seal",
    "responders.name": "a responder's work name, given by staff in the directory",
    "responders.region_id": "gazetteer id", "responders.council_id": "gazetteer id",
    "responders.ward_id": "gazetteer id", "responders.languages": "sw;en",
    "responders.language": "sw or en",
    "referral_waves.roles": "JSON list of role labels", "referral_waves.reach": "label",
    "outbound_sms.purpose": "label", "outbound_sms.ref_kind": "label",
    "outbound_sms.provider_message_id": "AT's message id",
    "outbound_sms.provider_status": "AT's status word",
    "outbound_sms.failure_reason": "gateway or AT error text; the number is replaced",
    "inbound_sms.provider_id": "AT's message id", "inbound_sms.to": "our shortcode",
    "inbound_sms.link_id": "AT's link id", "inbound_sms.provider_date": "AT's timestamp",
    "inbound_sms.outcome": "label of what Linda did",
    "sms_delivery_reports.provider_id": "AT's message id",
    "sms_delivery_reports.status": "AT's status word",
    "sms_delivery_reports.failure_reason": "AT's failure word",
    "sms_delivery_reports.network_code": "mobile network code",
    "ussd_preferences.language": "sw or en", "ussd_drafts.session_id": "AT's session id",
    "ussd_sessions.session_id": "AT's session id", "ussd_sessions.language": "sw or en",
    "ussd_sessions.last_screen": "screen id",
    "ussd_session_events.session_id": "AT's session id",
    "ussd_session_events.status": "AT's status word",
    "ussd_session_events.last_screen": "screen id",
    "ussd_session_events.error_message": "AT's error text",
    "ussd_session_events.service_code": "the USSD code",
    "ussd_session_events.network_code": "mobile network code",
    "staff_users.email": "staff sign-in name, needed in clear to sign in",
    "staff_users.password_hash": "argon2 hash",
    "sandbox_phones.uid": "random row anchor", "sandbox_messages.uid": "random row anchor",
    "sandbox_messages.sender": "sender id or shortcode", "sandbox_messages.status": "label",
    "sandbox_messages.delivery": "label", "sandbox_messages.failure_reason": "label",
    "sandbox_messages.callback_base_url": "the configured callback address",
    "sandbox_messages.callback_result": "HTTP status and Linda's status word",
    # Staff dashboard, centres, follow-up, broadcasts (merged from other branches).
    "staff_signin_throttles.key": "staff:<id> or addr:<blind index>",
    "staff_users.language": "sw or en", "staff_regions.region_id": "gazetteer id",
    "staff_sessions.stage": "sign-in stage label", "staff_notes.uid": "random row anchor",
    "staff_notes.kind": "note kind label",
    **{f"centres.{c}": "a protection centre's public description" for c in (
        "name", "region_id", "council_id", "ward_id", "services", "takes")},
    "placements.offered": "JSON list of centre ids", "placements.queue": "JSON list of centre ids",
    "placements.refused": "JSON list of centre ids",
    "follow_up_checkins.answer": "safe, concern or unreached (a label)",
    "case_outcomes.actor": "responder:<id>, staff:<id>",
    "broadcast_recipients.language": "sw or en",
    "broadcasts.roles": "JSON list of role labels", "broadcasts.region_ids": "gazetteer ids",
    "broadcasts.council_ids": "gazetteer ids", "broadcasts.ward_ids": "gazetteer ids",
    "broadcasts.actor": "staff:<id>, cli:<user>",
    **{f"stats_case_weeks.{c}": "gazetteer id or category label in a weekly count" for c in (
        "council_id", "region_id", "category")},
    "stats_duration_weeks.measure": "name of a measured duration",
    "stats_ussd_weeks.screen": "menu screen id",
    "sms_reports.language": "sw or en", "sms_reports.state": "conversation state label",
}
TEXT_TYPES = (sa.String, sa.Text, sa.JSON)


def _text_columns() -> list[tuple[str, sa.Column]]:
    return [(table.name, column) for table in db.metadata.sorted_tables
            for column in table.columns
            if isinstance(column.type, TEXT_TYPES) and not isinstance(column.type, sa.Enum)]


def _is_sealed_or_index(name: str) -> bool:
    return name.endswith(("_enc", "_hash"))


def test_every_text_column_is_sealed_or_justified() -> None:
    unjustified = [f"{table}.{column.name}" for table, column in _text_columns()
                   if not _is_sealed_or_index(column.name)
                   and f"{table}.{column.name}" not in ALLOWED_PLAINTEXT]
    assert not unjustified, (
        f"text column(s) {', '.join(unjustified)} are stored in clear. If a person can type "
        "into it (a reason, an outcome, a note, a message), seal it: rename the column to "
        "<name>_enc (sa.Text), declare `<name> = Sealed(<row anchor>)` on the model (see "
        "app/privacy.py) and write a migration that seals existing rows. If it can never hold "
        "typed text, add it to ALLOWED_PLAINTEXT in "
        "tests/unit/security/test_security_sealed_columns.py with a one-line reason.")


def test_the_allow_list_names_only_real_columns() -> None:
    present = {f"{table}.{column.name}" for table, column in _text_columns()}
    stale = sorted(set(ALLOWED_PLAINTEXT) - present - {"alembic_version.version_num"})
    assert not stale, f"remove {stale} from ALLOWED_PLAINTEXT: no such text column any more"


def test_every_enc_column_has_a_sealed_face() -> None:
    """An ``_enc`` column written without ``Sealed``/the vault would be plaintext by name."""
    from app.extensions import Base
    from app.privacy import Sealed

    models = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}
    faces = {"ussd_drafts.path_enc", "ussd_sessions.draft_enc"}  # sealed by their properties
    for table, column in _text_columns():
        if not column.name.endswith("_enc") or f"{table}.{column.name}" in faces:
            continue
        model = models[table]
        seals = [v for v in vars(model).values() if isinstance(v, Sealed)
                 and f"{v.column}_enc" == column.name]
        assert seals, f"{table}.{column.name} has no Sealed attribute writing it"
