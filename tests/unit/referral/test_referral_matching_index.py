"""The filed directory chooses exactly whom ranking everybody chooses, only faster."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from app.referral.matching import NATIONAL, WARD, Candidate, Directory, Site, pick, pick_from
from app.referral.roles import ResponderRole

ROLES = list(ResponderRole)
# A small map so that wards, councils and regions collide often; a ward may sit in another
# council than its neighbours' and a candidate may cover a whole council or region.
REGIONS = ["R1", "R2", "R3"]
COUNCILS = ["C1", "C2", "C3", "C4"]
WARDS = ["W1", "W2", "W3", "W4", "W5"]
points = st.one_of(st.none(), st.tuples(st.floats(-11.0, -1.0), st.floats(29.0, 40.0)))
sites = st.builds(Site, st.sampled_from(REGIONS), st.sampled_from(COUNCILS),
                  st.one_of(st.none(), st.sampled_from(WARDS)), points)


@st.composite
def directories(draw: st.DrawFn) -> list[Candidate]:
    n = draw(st.integers(0, 40))
    return [Candidate(i, draw(st.sampled_from(ROLES)), draw(st.sampled_from(REGIONS)),
                      draw(st.one_of(st.none(), st.sampled_from(COUNCILS))),
                      draw(st.one_of(st.none(), st.sampled_from(WARDS))), draw(points),
                      draw(st.booleans()), draw(st.integers(0, 3)))
            for i in draw(st.permutations(range(1, n + 1)))]


@settings(max_examples=400, deadline=None)
@given(sites, directories(), st.lists(st.sampled_from(ROLES), min_size=1, max_size=4),
       st.integers(1, 5), st.sets(st.integers(1, 40), max_size=10),
       st.integers(WARD, NATIONAL))
def test_filed_pick_equals_ranking_everybody(site: Site, people: list[Candidate],
                                             roles: list[ResponderRole], count: int,
                                             exclude: set[int], max_tier: int) -> None:
    expected = pick(site, people, roles, count, exclude=exclude, max_tier=max_tier)
    got = pick_from(site, Directory.of(people), roles, count, exclude=exclude,
                    max_tier=max_tier)
    assert got == expected


def test_same_choices_on_a_seeded_country_sized_directory() -> None:
    """Sparse and dense places alike: 3,000 responders over 300 wards, declined ones skipped."""
    rng = random.Random(11)
    wards = [(f"R{w % 7}", f"C{w % 40}", f"W{w}") for w in range(300)]
    people = []
    for i in range(1, 3001):
        region, council, ward = rng.choice(wards)
        reach = rng.random()
        people.append(Candidate(
            i, rng.choice(ROLES), region, council if reach < 0.9 else None,
            ward if reach < 0.7 else None,
            (rng.uniform(-11, -1), rng.uniform(29, 40)) if rng.random() < 0.9 else None,
            rng.random() < 0.85, rng.choice([0, 0, 1, 3])))
    directory = Directory.of(people)
    for _ in range(300):
        region, council, ward = rng.choice(wards)
        site = Site(region, council, ward, (rng.uniform(-11, -1), rng.uniform(29, 40)))
        roles = rng.sample(ROLES, rng.randint(1, 3))
        exclude = set(rng.sample(range(1, 3001), 200))
        for max_tier in range(WARD, NATIONAL + 1):
            count = rng.randint(1, 6)
            assert pick_from(site, directory, roles, count, exclude=exclude,
                             max_tier=max_tier) \
                == pick(site, people, roles, count, exclude=exclude, max_tier=max_tier)


def test_unavailable_and_declined_are_never_chosen() -> None:
    site = Site("R1", "C1", "W1", None)
    off = Candidate(1, ResponderRole.POLICE_GCD, "R1", "C1", "W1", None, False)
    declined = Candidate(2, ResponderRole.POLICE_GCD, "R1", "C1", "W1", None, True)
    far = Candidate(3, ResponderRole.POLICE_GCD, "R2", "C9", "W9", None, True)
    directory = Directory.of([off, declined, far])
    assert pick_from(site, directory, [ResponderRole.POLICE_GCD], 2, exclude={2}) == [far]
    assert pick_from(site, directory, [ResponderRole.POLICE_GCD], 2, exclude={2},
                     max_tier=2) == []
