"""Agenda benchmark: the CP-SAT scheduler beside the greedy baseline in the same run.

Instances (``scheduling.instances``): the issue's realistic event (300 participants, 2,000
accepted meetings, 16 slots, 60 tables); three where every meeting fits by construction
(every table of every slot needed, or 90 % of them); and greedy traps, where greedy
provably places half of what is possible. Then a regeneration after late changes on the
realistic event: meetings moved with ``previous`` against solving from scratch.

Targets (the issue): the solver within 30 s on two cores on the realistic event, never
fewer meetings than greedy, every meeting placed where all fit, and a tight instance
where greedy leaves meetings out that the solver places. ``BENCH_AGENDA_SECONDS`` sets the
solver's time limit (default: the CLI's, 20 s; at most 30).
"""

from __future__ import annotations

import dataclasses
import os
import random
import time

from bench.stats import verdict
from scheduling import (
    DEFAULT_TIME_LIMIT_S,
    Meeting,
    Participant,
    Problem,
    Schedule,
    check,
    greedy,
    solve,
)
from scheduling.instances import Instance, all_fit, gadgets, realistic

WORKERS = 2
LIMIT_S = 30.0


def late_changes(problem: Problem, first: Schedule, seed: int = 7) -> Problem:
    """What happens the day before: 5 participants cannot come to one slot where they had a
    meeting, 10 meetings are cancelled and 10 new ones accepted."""
    rng = random.Random(seed)
    sessions = rng.sample(list(first.placements), 5)
    meeting = {m.id: m for m in problem.meetings}
    away: dict[str, set[str]] = {p.id: set(p.unavailable) for p in problem.participants}
    for x in sessions:
        away[meeting[x.meeting].a].add(x.slot)
    cancelled = set(rng.sample(sorted(meeting), 10))
    pairs = {frozenset((m.a, m.b)) for m in problem.meetings}
    people = [p.id for p in problem.participants]
    added: list[Meeting] = []
    while len(added) < 10:
        a, b = rng.sample(people, 2)
        if frozenset((a, b)) not in pairs:
            pairs.add(frozenset((a, b)))
            added.append(Meeting(f"late{len(added) + 1}", a, b, round(rng.uniform(0.35, 0.98), 3)))
    return dataclasses.replace(
        problem,
        participants=tuple(
            Participant(p.id, tuple(s for s in problem.slots if s in away[p.id]))
            for p in problem.participants
        ),
        meetings=tuple(m for m in problem.meetings if m.id not in cancelled) + tuple(added),
    )


def moved(before: Schedule, after: Schedule) -> int:
    """Meetings of ``before`` still in the problem whose slot or table changed or that lost
    their place."""
    now = {x.meeting: (x.slot, x.table) for x in after.placements}
    still = set(now) | set(after.unscheduled)
    return sum(
        1
        for x in before.placements
        if x.meeting in still and now.get(x.meeting) != (x.slot, x.table)
    )


def main() -> None:
    limit = min(float(os.environ.get("BENCH_AGENDA_SECONDS", DEFAULT_TIME_LIMIT_S)), LIMIT_S)
    instances: list[Instance] = [
        realistic(1),
        all_fit(1),
        all_fit(2, away=0.5),
        all_fit(3, fill=0.9),
        gadgets(240),
    ]
    print(f"solver: OR-Tools CP-SAT, {WORKERS} workers, time limit {limit:g} s")
    print(
        f"  {'instance':<41} {'meetings':>8} {'greedy':>7} {'solver':>7} {'bound':>6}"
        f" {'greedy wt':>10} {'solver wt':>10} {'greedy s':>9} {'solver s':>9}  optimal?"
    )
    results: list[tuple[Instance, Schedule, Schedule]] = []
    for inst in instances:
        p = inst.problem
        start = time.perf_counter()
        base = greedy(p)
        greedy_s = time.perf_counter() - start
        best = solve(p, time_limit_s=limit, workers=WORKERS)
        results.append((inst, base, best))
        print(
            f"  {inst.name:<41} {len(p.meetings):>8,} {base.count:>7,} {best.count:>7,}"
            f" {best.count_bound or 0:>6,} {base.objective:>10.3f} {best.objective:>10.3f}"
            f" {greedy_s:>9.3f} {best.seconds:>9.1f}  {'yes' if best.optimal else 'no'}"
            f"  ({best.status})"
        )

    invalid = [
        f"{inst.name}: {problem}"
        for inst, base, best in results
        for problem in check(inst.problem, base) + check(inst.problem, best)
    ]
    print(verdict("every schedule passes check()", not invalid))
    for line in invalid[:5]:
        print(f"    {line}")
    print(
        verdict(
            "the solver places at least as many as greedy on every instance",
            all(best.count >= base.count for _, base, best in results),
        )
    )
    real, *fits, traps = results
    print(
        verdict(
            f"realistic 300/2,000/16/60 solved within 30 s (took {real[2].seconds:.1f} s)",
            real[2].seconds <= LIMIT_S,
        )
    )
    for inst, base, best in fits:
        print(
            verdict(
                f"{inst.name}: the solver places all {inst.optimum or 0:,} (greedy {base.count:,})",
                best.count == inst.optimum,
            )
        )
    inst, base, best = traps
    print(
        verdict(
            f"{inst.name}: greedy places {base.count:,} (known {inst.greedy_places or 0:,}),"
            f" the solver {best.count:,} (known optimum {inst.optimum or 0:,})",
            base.count == inst.greedy_places and best.count == inst.optimum,
        )
    )

    inst, _, first = real
    changed = late_changes(inst.problem, first)
    again = solve(changed, previous=first, time_limit_s=limit, workers=WORKERS)
    scratch = solve(changed, time_limit_s=limit, workers=WORKERS)
    print("regeneration after late changes (5 absences, 10 cancelled, 10 new meetings):")
    for label, s in (("with previous", again), ("from scratch", scratch)):
        print(
            f"  {label:<16} placed {s.count:,}  weight {s.objective:.3f}"
            f"  moved {moved(first, s):>4,} of {first.count:,}  {s.seconds:.1f} s"
            f"  optimal? {'yes' if s.optimal else 'no'}  ({s.status})"
        )
    print(
        verdict(
            "regeneration moves fewer meetings than solving from scratch",
            moved(first, again) < moved(first, scratch) and not check(changed, again),
        )
    )
