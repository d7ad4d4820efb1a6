from hypothesis import given
from hypothesis import strategies as st

from app.referral.matching import COUNCIL, NATIONAL, REGION, WARD, Candidate, Site, pick, rank, tier
from app.referral.roles import ResponderRole

R = ResponderRole
SITE = Site("TZ-01", "C1", "W1", (-3.0, 36.0))


def cand(id: int, role: R = R.POLICE_GCD, *, region: str = "TZ-01", council: str | None = "C1",
         ward: str | None = None, point: tuple[float, float] | None = (-3.0, 36.0),
         available: bool = True, load: int = 0) -> Candidate:
    return Candidate(id, role, region, council, ward, point, available, load)


def test_tiers_ward_council_region_national() -> None:
    assert tier(SITE, cand(1, ward="W1")) == WARD
    assert tier(SITE, cand(1, ward="W2")) == COUNCIL
    assert tier(SITE, cand(1, ward=None)) == COUNCIL  # council-wide coverage
    assert tier(SITE, cand(1, council="C2")) == REGION
    assert tier(SITE, cand(1, council=None)) == REGION  # region-wide coverage
    assert tier(SITE, cand(1, region="TZ-02", council="C9")) == NATIONAL


def test_administrative_closeness_beats_distance() -> None:
    far_same_ward = cand(1, ward="W1", point=(-3.5, 36.5))
    near_other_council = cand(2, council="C2", point=(-3.0, 36.0))
    assert [c.id for c in rank(SITE, [near_other_council, far_same_ward], {R.POLICE_GCD})] \
        == [1, 2]


def test_distance_orders_a_tier_and_unknown_points_go_last() -> None:
    ranked = rank(SITE, [cand(1, point=None), cand(2, point=(-3.4, 36.0)),
                         cand(3, point=(-3.1, 36.0))], {R.POLICE_GCD})
    assert [c.id for c in ranked] == [3, 2, 1]


def test_load_balances_among_equals_then_id_keeps_it_deterministic() -> None:
    busy, idle, idle_too = cand(1, load=3), cand(2, load=0), cand(3, load=0)
    assert [c.id for c in rank(SITE, [busy, idle_too, idle], {R.POLICE_GCD})] == [2, 3, 1]
    assert rank(SITE, [idle_too, idle, busy], {R.POLICE_GCD}) == \
        rank(SITE, [busy, idle, idle_too], {R.POLICE_GCD})


def test_skips_unavailable_excluded_other_roles_and_too_far() -> None:
    pool = [cand(1, available=False), cand(2), cand(3, R.HEALTH), cand(4),
            cand(5, region="TZ-09", council="C9")]
    assert [c.id for c in rank(SITE, pool, {R.POLICE_GCD}, exclude={4})] == [2, 5]
    assert [c.id for c in rank(SITE, pool, {R.POLICE_GCD}, max_tier=REGION)] == [2, 4]


def test_pick_takes_the_nearest_of_each_role_in_turn() -> None:
    pool = [cand(1, ward="W1"), cand(2, ward="W1"), cand(3, R.SOCIAL_WELFARE, council="C2"),
            cand(4, R.SOCIAL_WELFARE, region="TZ-05", council="C5")]
    roles = (R.POLICE_GCD, R.SOCIAL_WELFARE)
    assert [c.id for c in pick(SITE, pool, roles, 2)] == [1, 3]
    assert [c.id for c in pick(SITE, pool, roles, 3)] == [1, 3, 2]
    assert [c.id for c in pick(SITE, pool, roles, 9)] == [1, 3, 2, 4]
    assert pick(SITE, pool, (R.SHELTER,), 2) == []


roles_st = st.sampled_from([R.POLICE_GCD, R.SOCIAL_WELFARE, R.HEALTH])
candidate_st = st.builds(
    Candidate, id=st.integers(1, 50), role=roles_st,
    region_id=st.sampled_from(["TZ-01", "TZ-02"]), council_id=st.sampled_from(["C1", "C2", None]),
    ward_id=st.sampled_from(["W1", "W2", None]),
    point=st.one_of(st.none(), st.tuples(st.floats(-11, -1), st.floats(29, 40))),
    available=st.booleans(), open_cases=st.integers(0, 5))


@given(pool=st.lists(candidate_st, max_size=15, unique_by=lambda c: c.id),
       count=st.integers(0, 6), exclude=st.sets(st.integers(1, 50), max_size=5),
       seed=st.randoms(use_true_random=False))
def test_pick_is_deterministic_and_never_returns_who_it_must_skip(pool, count, exclude,
                                                                 seed) -> None:
    roles = (R.POLICE_GCD, R.SOCIAL_WELFARE)
    chosen = pick(SITE, pool, roles, count, exclude=exclude, max_tier=REGION)
    shuffled = list(pool)
    seed.shuffle(shuffled)
    assert pick(SITE, shuffled, roles, count, exclude=exclude, max_tier=REGION) == chosen
    assert len(chosen) == min(count, len(rank(SITE, pool, roles, exclude=exclude,
                                              max_tier=REGION)))
    for c in chosen:
        assert c.available and c.role in roles and c.id not in exclude
        assert tier(SITE, c) <= REGION
