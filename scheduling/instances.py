"""Agenda instances for the tests and the benchmark, each deterministic by its seed.

- ``realistic``: an event as it comes: demand-side enterprises and vendors, a few vendors
  far more popular than the rest, some participants arriving late or leaving early, and
  more accepted meetings than the tables can hold.
- ``all_fit``: a full schedule is drawn first and then hidden, so every meeting provably
  fits; with every table of every slot used it is tight, and greedy tends to lose some.
- ``gadgets``: copies of two small structures on which greedy by weight provably places
  one meeting where two are possible, so both optima are known exactly.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass

from scheduling.agenda import Meeting, Participant, Problem


@dataclass(frozen=True)
class Instance:
    name: str
    problem: Problem
    optimum: int | None = None  # meetings an optimal schedule places, when known by construction
    greedy_places: int | None = None  # meetings the greedy baseline places, when known


def slot_names(count: int) -> tuple[str, ...]:
    return tuple(f"s{i:02d}" for i in range(1, count + 1))


def realistic(
    seed: int = 1,
    *,
    participants: int = 300,
    meetings: int = 2_000,
    slots: int = 16,
    tables: int = 60,
    time_limit_s: float = 20.0,
) -> Instance:
    """Half enterprises, half vendors; each meeting pairs one of each, vendors chosen with
    a Zipf-like popularity; 30 % of participants miss a run of 1–4 slots at the start, the
    end or in the middle; weights are match scores in 0.35–0.98 with three decimals."""
    rng = random.Random(seed)
    names = slot_names(slots)
    buyers = [f"e{i:04d}" for i in range(participants // 2)]
    sellers = [f"v{i:04d}" for i in range(participants - len(buyers))]
    if meetings > len(buyers) * len(sellers):
        raise ValueError("more meetings than enterprise–vendor pairs")
    activity = [rng.uniform(0.5, 1.5) for _ in buyers]
    popularity = [1 / (rank + 1) ** 0.6 for rank in range(len(sellers))]
    pairs: dict[tuple[str, str], None] = {}
    while len(pairs) < meetings:
        pair = (rng.choices(buyers, activity)[0], rng.choices(sellers, popularity)[0])
        pairs.setdefault(pair)
    people = []
    for person in buyers + sellers:
        away: tuple[str, ...] = ()
        if rng.random() < 0.3:
            run = rng.randint(1, 4)
            first = rng.choice([0, slots - run, rng.randint(0, slots - run)])
            away = names[first : first + run]
        people.append(Participant(person, away))
    return Instance(
        f"realistic #{seed} {participants}/{meetings}/{slots}/{tables}",
        Problem(
            slots=names,
            tables=tables,
            participants=tuple(people),
            meetings=tuple(
                Meeting(f"m{i:05d}", a, b, round(rng.uniform(0.35, 0.98), 3))
                for i, (a, b) in enumerate(pairs, start=1)
            ),
            time_limit_s=time_limit_s,
        ),
    )


def all_fit(
    seed: int = 1,
    *,
    participants: int = 300,
    slots: int = 16,
    tables: int = 60,
    fill: float = 1.0,
    away: float = 0.2,
    time_limit_s: float = 20.0,
) -> Instance:
    """A schedule drawn first: in each slot, up to ``fill × tables`` meetings between
    participants paired at random (no pair twice); then each participant is made
    unavailable, with probability ``away``, in slots where they have no meeting. The
    meetings are shuffled and renumbered so nothing of the hidden schedule shows."""
    rng = random.Random(seed)
    names = slot_names(slots)
    people = [f"p{i:04d}" for i in range(participants)]
    pairs: set[frozenset[str]] = set()
    busy: set[tuple[str, str]] = set()
    drawn: list[tuple[str, str]] = []
    for s in names:
        free = people[:]
        rng.shuffle(free)
        placed = 0
        while len(free) >= 2 and placed < round(fill * tables):
            a = free.pop()
            b = next((b for b in reversed(free) if frozenset((a, b)) not in pairs), None)
            if b is None:
                continue
            free.remove(b)
            pairs.add(frozenset((a, b)))
            busy.update(((a, s), (b, s)))
            drawn.append((a, b))
            placed += 1
    rng.shuffle(drawn)
    return Instance(
        f"all fit by construction #{seed} {participants}/{len(drawn)}/{slots}/{tables}",
        Problem(
            slots=names,
            tables=tables,
            participants=tuple(
                Participant(
                    person,
                    tuple(s for s in names if (person, s) not in busy and rng.random() < away),
                )
                for person in people
            ),
            meetings=tuple(
                Meeting(f"m{i:05d}", a, b, round(rng.uniform(0.35, 0.98), 3))
                for i, (a, b) in enumerate(drawn, start=1)
            ),
            time_limit_s=time_limit_s,
        ),
        optimum=len(drawn),
    )


def gadgets(count: int = 240, *, slots: int = 16, time_limit_s: float = 20.0) -> Instance:
    """``count`` gadgets, alternating two kinds, each with its own participants:

    - a heavy meeting a–b (1.0) beside a–c and b–d (0.45 each), all four only able to come
      in one slot: greedy takes a–b and can place nothing else; the optimum is a–c and b–d;
    - a–b (1.0) where a and b can come in two slots, and a–c (0.6) where c can come only in
      the first of them: greedy puts a–b in the first slot and loses a–c; the optimum puts
      a–b second.

    So the optimum places two meetings per gadget and greedy one. Tables are exactly what
    the optimum needs in its busiest slot, and greedy never needs more than the optimum in
    any slot, so the tables never stop greedy either.
    """
    if slots < 2:
        raise ValueError("the gadgets need at least two slots")
    names = slot_names(slots)
    people: list[Participant] = []
    meetings: list[Meeting] = []
    load: Counter[str] = Counter()  # the optimum's meetings per slot
    number = itertools.count(1)

    def person(name: str, *open_slots: str) -> str:
        people.append(Participant(name, tuple(s for s in names if s not in open_slots)))
        return name

    def meeting(a: str, b: str, weight: float) -> None:
        meetings.append(Meeting(f"m{next(number):05d}", a, b, weight))

    for g in range(count):
        if g % 2 == 0:
            s = names[(g // 2) % slots]
            a, b, c, d = (person(f"g{g:04d}{x}", s) for x in "abcd")
            meeting(a, b, 1.0)
            meeting(a, c, 0.45)
            meeting(b, d, 0.45)
            load[s] += 2
        else:
            k = (g // 2) % (slots - 1)
            first, second = names[k], names[k + 1]
            a, b = (person(f"g{g:04d}{x}", first, second) for x in "ab")
            c = person(f"g{g:04d}c", first)
            meeting(a, b, 1.0)
            meeting(a, c, 0.6)
            load[first] += 1
            load[second] += 1
    return Instance(
        f"greedy traps ×{count}",
        Problem(
            slots=names,
            tables=max(load.values(), default=1),
            participants=tuple(people),
            meetings=tuple(meetings),
            time_limit_s=time_limit_s,
        ),
        optimum=2 * count,
        greedy_places=count,
    )
