import pytest

from app.cases.vocabulary import CaseCategory
from app.referral.roles import ResponderRole
from app.referral.rules import DEFAULT_PATH, RulesError, load_rules, parse_rules

R = ResponderRole
MINIMAL = """
[default.urgent]
waves = [{ roles = ["police_gcd"] }]
[default.normal]
waves = [{ roles = ["ward_executive"], responders = 1, deadline = 60 }]
"""


def test_shipped_rules_load_and_follow_the_tanzanian_pathway() -> None:
    book = load_rules(DEFAULT_PATH, urgent_seconds=600, normal_seconds=3600)
    for category in CaseCategory:
        urgent = book.waves_for(category.value, True)
        normal = book.waves_for(category.value, False)
        assert set(urgent[0].roles) == {R.POLICE_GCD, R.SOCIAL_WELFARE}
        assert all(w.deadline_seconds == 600 for w in urgent)
        assert all(w.deadline_seconds == 3600 for w in normal)
        for wave in (*urgent, *normal):
            assert R.HOTLINE_SUPERVISOR not in wave.roles  # they come after the last wave
    assert set(book.waves_for("begging", False)[0].roles) >= {
        R.WARD_EXECUTIVE, R.COMMUNITY_DEVELOPMENT}
    for category in ("sexual_exploitation", "transported"):
        roles = {r for w in book.waves_for(category, True) for r in w.roles}
        assert R.SHELTER in roles


def test_defaults_fill_deadline_count_and_reach() -> None:
    book = parse_rules(MINIMAL, urgent_seconds=111, normal_seconds=222)
    (urgent,) = book.waves_for("other", True)
    assert (urgent.responders, urgent.deadline_seconds, urgent.reach) == (1, 111, "region")
    (normal,) = book.waves_for("begging", False)
    assert normal.deadline_seconds == 60


@pytest.mark.parametrize(("text", "message"), [
    (MINIMAL.replace("police_gcd", "polise"), "[default.urgent] wave 1: unknown role 'polise'"),
    (MINIMAL + '[kidnap.urgent]\nwaves = [{ roles = ["health"] }]\n',
     "unknown category [kidnap]"),
    (MINIMAL.replace('roles = ["police_gcd"]', "roles = []"),
     "[default.urgent] wave 1: empty wave"),
    (MINIMAL.replace("waves = [{ roles = [\"police_gcd\"] }]", "waves = []"),
     "[default.urgent]: needs a non-empty list"),
    (MINIMAL.replace("responders = 1", "responders = 0"), "`responders` must be a whole number"),
    (MINIMAL.replace("deadline = 60", 'deadline = "soon"'), "`deadline` must be a whole number"),
    (MINIMAL.replace("default.normal", "default.later"), "unknown urgency 'later'"),
    (MINIMAL + '[begging.urgent]\nwaves = [{ roles = ["health"], reach = "world" }]\n',
     "unknown reach 'world'"),
    (MINIMAL.split("[default.normal]")[0], "no [default.normal] table"),
    ("[default.urgent\n", "not valid TOML"),
])
def test_bad_rules_name_the_place_and_the_fix(text: str, message: str) -> None:
    with pytest.raises(RulesError) as exc:
        parse_rules(text, urgent_seconds=600, normal_seconds=3600)
    assert message in str(exc.value)


def test_a_bad_rules_file_stops_the_app_start(make_app, tmp_path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text(MINIMAL.replace("police_gcd", "polise"))
    with pytest.raises(RulesError, match="unknown role 'polise'"):
        make_app(REFERRAL_RULES_PATH=str(bad))
