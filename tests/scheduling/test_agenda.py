"""The agenda scheduler on small instances whose optima are known by hand or by brute force.

Every schedule is checked by ``check`` (the independent validator) before anything else.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import pytest

from scheduling import (
    Meeting,
    Participant,
    Placement,
    Problem,
    ProblemError,
    Schedule,
    check,
    generate,
    greedy,
    parse_problem,
    parse_schedule,
    solve,
    to_json,
)


def problem(
    slots: int,
    tables: int,
    meetings: Sequence[tuple[str, str, float]],
    unavailable: dict[str, list[str]] | None = None,
) -> Problem:
    """Slots s1..sN, meetings m1..mK between the named participants."""
    unavailable = unavailable or {}
    people = sorted({p for a, b, _ in meetings for p in (a, b)} | set(unavailable))
    return Problem(
        slots=tuple(f"s{i}" for i in range(1, slots + 1)),
        tables=tables,
        participants=tuple(Participant(p, tuple(unavailable.get(p, ()))) for p in people),
        meetings=tuple(Meeting(f"m{i}", a, b, w) for i, (a, b, w) in enumerate(meetings, start=1)),
    )


def solved(p: Problem, **kwargs: Any) -> Schedule:
    result = solve(p, time_limit_s=10, **kwargs)
    assert check(p, result) == []
    return result


def placed(schedule: Schedule) -> set[str]:
    return {x.meeting for x in schedule.placements}


# --- known optima -----------------------------------------------------------------------


@pytest.mark.parametrize(("slots", "expected"), [(1, 1), (2, 2), (3, 3), (4, 3)])
def test_a_triangle_needs_one_slot_per_meeting(slots: int, expected: int) -> None:
    # Every two of the three meetings share a participant, so each slot holds one of them.
    p = problem(slots, tables=3, meetings=[("a", "b", 1), ("b", "c", 1), ("a", "c", 1)])
    result = solved(p)
    assert len(result.placements) == expected and result.optimal
    assert len({x.slot for x in result.placements}) == expected


def test_tables_cap_a_slot_and_the_heaviest_meetings_win() -> None:
    p = problem(1, tables=2, meetings=[("a", "b", 1), ("c", "d", 4), ("e", "f", 3), ("g", "h", 2)])
    result = solved(p)
    assert placed(result) == {"m2", "m3"} and result.objective == 7 and result.optimal
    assert sorted(x.table for x in result.placements) == [1, 2]
    assert result.unscheduled == ("m1", "m4")


def test_more_meetings_beat_more_weight() -> None:
    # The heavy a–b meeting blocks both lighter ones: greedy takes it, the optimum does not.
    p = problem(1, tables=2, meetings=[("a", "b", 10), ("a", "c", 4), ("b", "d", 4)])
    assert placed(greedy(p)) == {"m1"}
    result = solved(p)
    assert placed(result) == {"m2", "m3"} and result.objective == 8 and result.optimal
    assert result.baseline_scheduled == 1


def test_greedy_takes_the_first_slot_that_fits_and_the_solver_looks_ahead() -> None:
    # c can only come in s1; greedy puts the heavier a–b there first and loses a–c.
    p = problem(2, tables=1, meetings=[("a", "b", 10), ("a", "c", 5)], unavailable={"c": ["s2"]})
    assert [(x.meeting, x.slot) for x in greedy(p).placements] == [("m1", "s1")]
    result = solved(p)
    assert {(x.meeting, x.slot) for x in result.placements} == {("m2", "s1"), ("m1", "s2")}


def test_unavailable_slots_are_never_used() -> None:
    p = problem(
        3,
        tables=5,
        meetings=[("a", "b", 1), ("c", "d", 1)],
        unavailable={"a": ["s1"], "b": ["s2"], "c": ["s1", "s2"], "d": ["s3"]},
    )
    result = solved(p)
    assert [(x.meeting, x.slot) for x in result.placements] == [("m1", "s3")]
    assert result.unscheduled == ("m2",) and result.optimal


def test_tables_are_numbered_from_one_in_every_slot() -> None:
    p = problem(2, tables=3, meetings=[(f"p{i}", f"q{i}", 1) for i in range(6)])
    result = solved(p)
    by_slot: dict[str, list[int]] = {}
    for x in result.placements:
        by_slot.setdefault(x.slot, []).append(x.table)
    assert {s: sorted(t) for s, t in by_slot.items()} == {"s1": [1, 2, 3], "s2": [1, 2, 3]}


def test_nothing_to_schedule() -> None:
    p = problem(2, tables=1, meetings=[])
    result = solved(p)
    assert result.placements == () and result.unscheduled == () and result.optimal
    assert to_json(result) == {
        "scheduled": [],
        "unscheduled": [],
        "objective": 0,
        "optimal": True,
        "baseline_scheduled": 0,
    }


def brute_force(p: Problem) -> tuple[int, float]:
    """The best (count, weight) over every assignment of meetings to slots or to nothing."""
    away = {x.id: x.unavailable for x in p.participants}
    best = (0, 0.0)
    for choice in itertools.product([None, *p.slots], repeat=len(p.meetings)):
        busy: set[tuple[str, str]] = set()
        load: dict[str, int] = {}
        ok = True
        for m, slot in zip(p.meetings, choice, strict=True):
            if slot is None:
                continue
            for person in (m.a, m.b):
                ok = ok and slot not in away[person] and (person, slot) not in busy
                busy.add((person, slot))
            load[slot] = load.get(slot, 0) + 1
            ok = ok and load[slot] <= p.tables
        if ok:
            chosen = [m for m, s in zip(p.meetings, choice, strict=True) if s is not None]
            best = max(best, (len(chosen), sum(m.weight for m in chosen)))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_the_solver_reaches_the_brute_force_optimum(seed: int) -> None:
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(rng.randint(3, 5))]
    every = list(itertools.combinations(people, 2))
    pairs = rng.sample(every, min(len(every), rng.randint(3, 6)))
    slots = rng.randint(1, 3)
    p = problem(
        slots,
        tables=rng.randint(1, 2),
        meetings=[(a, b, rng.randint(1, 9)) for a, b in pairs],
        unavailable={x: [f"s{rng.randint(1, slots)}"] for x in people if rng.random() < 0.3},
    )
    count, weight = brute_force(p)
    result = solved(p)
    assert (len(result.placements), result.objective) == (count, weight) and result.optimal
    assert result.count_bound is not None and result.count_bound >= count
    baseline = greedy(p)
    assert check(p, baseline) == []
    assert len(baseline.placements) <= count == len(result.placements)
    assert result.baseline_scheduled == len(baseline.placements)


def test_weights_are_compared_exactly_at_their_decimals() -> None:
    # 50.001 + 50.001 beats 100 + 0.001 by 0.001, a thousandth of a point in 100.
    p = problem(
        1,
        tables=2,
        meetings=[("a", "b", 50.001), ("c", "d", 50.001), ("a", "c", 100), ("b", "d", 0.001)],
    )
    assert placed(solved(p)) == {"m1", "m2"}


# --- regeneration -----------------------------------------------------------------------


def test_regeneration_moves_only_the_meeting_that_must_move() -> None:
    meetings = [(f"p{i}", f"q{i % 4}", 1 + i % 3) for i in range(12)]
    before = problem(4, tables=4, meetings=meetings)
    first = solved(before)
    assert len(first.placements) == 12
    # p0 can no longer come in the slot of its only meeting: that meeting moves, nothing else.
    gone = next(x for x in first.placements if x.meeting == "m1")
    after = problem(4, tables=4, meetings=meetings, unavailable={"p0": [gone.slot]})
    second = solved(after, previous=first)
    assert len(second.placements) == 12 and second.optimal
    assert second.moved == ("m1",)
    assert set(first.placements) - set(second.placements) == {gone}


def test_regeneration_keeps_tables_and_tolerates_cancelled_meetings_and_slots() -> None:
    previous = Schedule(
        placements=(
            Placement("m9", "s1", 1),  # cancelled since
            Placement("m1", "s1", 2),
            Placement("m2", "s2", 1),
            Placement("m3", "s3", 1),  # its slot was dropped
        ),
        unscheduled=(),
        objective=0,
    )
    p = problem(2, tables=2, meetings=[("a", "b", 3), ("c", "d", 2), ("e", "f", 1)])
    result = solved(p, previous=previous)
    assert {Placement("m1", "s1", 2), Placement("m2", "s2", 1)} < set(result.placements)
    assert result.moved == ("m3",) and len(result.placements) == 3


def test_regeneration_keeps_a_held_meeting_over_a_heavier_newcomer() -> None:
    # One table, one slot: a late, better-scoring request must not push out a meeting that
    # is already on two participants' agendas (as many placed, then as few moved, then weight).
    first = solved(problem(1, tables=1, meetings=[("a", "b", 0.2)]))
    assert placed(first) == {"m1"}
    later = problem(1, tables=1, meetings=[("a", "b", 0.2), ("c", "d", 0.9)])
    again = solved(later, previous=first)
    assert placed(again) == {"m1"} and again.moved == ()
    assert placed(solved(later)) == {"m2"}  # from scratch the heavier one wins


def test_previous_read_back_from_json() -> None:
    p = problem(2, tables=2, meetings=[("a", "b", 1), ("c", "d", 1)])
    first = solved(p)
    again = parse_schedule(json.loads(json.dumps(to_json(first))))
    assert again.placements == first.placements
    assert solved(p, previous=again).moved == ()


# --- the validator ----------------------------------------------------------------------


def test_check_reports_every_broken_rule() -> None:
    p = problem(
        2,
        tables=1,
        meetings=[("a", "b", 1), ("a", "c", 1), ("d", "e", 1)],
        unavailable={"e": ["s2"]},
    )
    bad = Schedule(
        placements=(
            Placement("m1", "s1", 1),
            Placement("m2", "s1", 2),  # a twice in s1, table 2 of 1, two meetings in s1
            Placement("m3", "s2", 1),  # e cannot come in s2
            Placement("m9", "s9", 1),  # no such meeting or slot
        ),
        unscheduled=("m3",),
        objective=5,
    )
    problems = "\n".join(check(p, bad))
    for words in ("a", "s1", "桌号 2", "s2", "m9", "s9", "m3", "objective"):
        assert words in problems, words
    assert check(p, greedy(p)) == []


# --- JSON in and out --------------------------------------------------------------------

VALID: dict[str, Any] = {
    "slots": ["s1", "s2"],
    "tables": 2,
    "participants": [{"id": "a", "unavailable": ["s2"]}, {"id": "b"}, {"id": "c"}],
    "meetings": [
        {"id": "m2", "a": "a", "b": "b", "weight": 0.9},
        {"id": "m1", "a": "b", "b": "c", "weight": 0.5},
    ],
    "time_limit_s": 5,
}


def test_generate_prints_exactly_the_documented_object() -> None:
    out = generate(json.loads(json.dumps(VALID)))
    assert list(out) == ["scheduled", "unscheduled", "objective", "optimal", "baseline_scheduled"]
    assert out["scheduled"] == [
        {"meeting": "m2", "slot": "s1", "table": 1},
        {"meeting": "m1", "slot": "s2", "table": 1},
    ]
    assert out["unscheduled"] == [] and out["objective"] == pytest.approx(1.4)
    assert out["optimal"] is True and out["baseline_scheduled"] == 2
    # Regenerating from its own output changes nothing.
    assert generate(VALID, previous=json.loads(json.dumps(out))) == out


def with_(path: str, value: Any) -> dict[str, Any]:
    """VALID with one value replaced (or removed when ``value`` is ``...``); path like
    ``meetings.0.a``."""
    data = json.loads(json.dumps(VALID))
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    index: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[index]
    else:
        node[index] = value
    return data


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "JSON 对象"),
        (with_("slots", []), "slots"),
        (with_("slots", ["s1", "s1"]), "slots[1]"),
        (with_("slots", ["s1", 2]), "slots[1]"),
        (with_("tables", 0), "tables"),
        (with_("tables", -3), "tables"),
        (with_("tables", 2.5), "tables"),
        (with_("tables", True), "tables"),
        (with_("tables", ...), "tables"),
        (with_("participants.1.id", "a"), "participants[1].id"),
        (with_("participants.0.unavailable", ["s7"]), "participants[0].unavailable[0]"),
        (with_("participants.0.colour", "red"), "colour"),
        (with_("meetings.0.a", "zed"), "meetings[0].a"),
        (with_("meetings.0.b", "a"), "meetings[0].b"),
        (with_("meetings.1.id", "m2"), "meetings[1].id"),
        (with_("meetings.0.weight", float("nan")), "meetings[0].weight"),
        (with_("meetings.0.weight", float("inf")), "meetings[0].weight"),
        (with_("meetings.0.weight", "0.9"), "meetings[0].weight"),
        (with_("meetings.0.weight", -1), "meetings[0].weight"),
        (with_("meetings.0.weight", ...), "meetings[0].weight"),
        (with_("time_limit_s", 0), "time_limit_s"),
        (with_("time_limit_s", 10_000), "time_limit_s"),
        (with_("extra", 1), "extra"),
        (with_("slots", [f"s{i}" for i in range(201)]), "200"),
        (with_("meetings.0.id", ""), "meetings[0].id"),
    ],
)
def test_invalid_input_is_refused_with_the_field_named(data: Any, words: str) -> None:
    with pytest.raises(ProblemError) as caught:
        parse_problem(data)
    assert words in str(caught.value)


def test_previous_json_is_checked_too() -> None:
    with pytest.raises(ProblemError, match=r"scheduled\[0\]\.table"):
        parse_schedule({"scheduled": [{"meeting": "m1", "slot": "s1", "table": 0}]})
    with pytest.raises(ProblemError, match="scheduled"):
        parse_schedule({"placements": []})


def test_the_library_imports_no_web_or_database_package() -> None:
    code = (
        "import sys, scheduling, scheduling.instances\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'portal', 'fastapi', 'starlette', 'sqlmodel', 'sqlalchemy', 'jinja2'}]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
