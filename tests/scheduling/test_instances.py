"""The generated instances keep their promises (small sizes, so the suite stays quick)."""

from __future__ import annotations

import pytest

from scheduling import check, greedy, solve
from scheduling.instances import all_fit, gadgets, realistic


def test_instances_are_the_same_for_the_same_seed() -> None:
    assert realistic(3, participants=40, meetings=120) == realistic(
        3, participants=40, meetings=120
    )
    assert all_fit(3, participants=30, slots=4, tables=6) == all_fit(
        3, participants=30, slots=4, tables=6
    )
    assert realistic(3, participants=40, meetings=120) != realistic(
        4, participants=40, meetings=120
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_meeting_of_an_all_fit_instance_is_placed(seed: int) -> None:
    inst = all_fit(seed, participants=40, slots=5, tables=8)
    p = inst.problem
    assert inst.optimum == len(p.meetings) == 5 * 8  # every table of every slot is needed
    result = solve(p, time_limit_s=10)
    assert check(p, result) == []
    assert result.count == inst.optimum and result.optimal
    assert greedy(p).count <= result.count


@pytest.mark.parametrize("count", [1, 2, 7, 30])
def test_greedy_falls_into_the_traps_and_the_solver_does_not(count: int) -> None:
    inst = gadgets(count, slots=4)
    p = inst.problem
    baseline, result = greedy(p), solve(p, time_limit_s=10)
    assert check(p, baseline) == [] and check(p, result) == []
    assert baseline.count == inst.greedy_places == count
    assert result.count == inst.optimum == 2 * count and result.optimal


def test_a_small_realistic_event_is_solved_validly() -> None:
    p = realistic(2, participants=40, meetings=150, slots=6, tables=8).problem
    assert len(p.meetings) == 150 and len({(m.a, m.b) for m in p.meetings}) == 150
    result = solve(p, time_limit_s=5)
    assert check(p, result) == []
    assert result.count_bound is not None
    assert greedy(p).count <= result.count <= result.count_bound
