"""The agenda of a matchmaking event (对接会): accepted meetings placed into slots and tables.

What is optimised, in this order (lexicographic):

1. the number of meetings placed;
2. when regenerating after late changes, the number of meetings kept in the slot they had
   before (so as few as possible move: participants already hold their agendas);
3. then their total weight (the match score).

Rules every schedule keeps: a participant is in at most one meeting per slot, never in a
slot they cannot attend, a meeting is placed at most once, and a slot holds at most
``tables`` meetings, at tables numbered 1..``tables``.

``solve`` uses OR-Tools CP-SAT, a real optimisation solver; ``greedy`` (heaviest meeting
first, first slot that fits) is the baseline, reported beside it and given to the solver
as its starting point. ``check`` verifies any schedule against the rules independently of
both. The module imports nothing from the web application or a database.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

DEFAULT_TIME_LIMIT_S = 20.0
MAX_TIME_LIMIT_S = 600.0
MAX_SLOTS = 200
MAX_TABLES = 10_000
MAX_PARTICIPANTS = 5_000
MAX_MEETINGS = 50_000
# Meetings × slots bounds the model's size (one yes/no decision per pair); beyond it the
# model takes longer to build than to solve.
MAX_CHOICES = 1_000_000
MAX_ID_LENGTH = 200
# Weights become integers for the solver: the fewest decimals that make all of them whole,
# and at most this large, so ties are broken by the exact total score (see _integer_weights).
WEIGHT_RESOLUTION = 1_000_000


class ProblemError(ValueError):
    """An input the scheduler refuses; ``path`` names the field (``meetings[3].b``)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}：{message}" if path else message)


@dataclass(frozen=True)
class Participant:
    """Someone with meetings; ``unavailable`` lists the slots they cannot attend."""

    id: str
    unavailable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """An accepted meeting between participants ``a`` and ``b``; ``weight`` ≥ 0 is its
    match score."""

    id: str
    a: str
    b: str
    weight: float = 1.0


@dataclass(frozen=True)
class Problem:
    """One event's agenda to build. Constructing it checks the references between its
    parts (``parse_problem`` also checks the JSON types), so a ``Problem`` is always sound."""

    slots: tuple[str, ...]
    tables: int
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    time_limit_s: float = DEFAULT_TIME_LIMIT_S

    def __post_init__(self) -> None:
        _validate(self)

    @cached_property
    def slot_index(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.slots)}

    @cached_property
    def unavailable(self) -> dict[str, frozenset[str]]:
        return {p.id: frozenset(p.unavailable) for p in self.participants}

    def open_slots(self, meeting: Meeting) -> list[str]:
        """The slots both participants can attend, in slot order."""
        away = self.unavailable[meeting.a] | self.unavailable[meeting.b]
        return [s for s in self.slots if s not in away]


@dataclass(frozen=True)
class Placement:
    meeting: str
    slot: str
    table: int


@dataclass(frozen=True)
class Schedule:
    """A schedule and how it was found.

    ``objective`` is the total weight of the placed meetings. ``optimal`` is true only when
    the solver proved that no schedule does better (on all three levels) within its time
    limit. ``moved`` lists the meetings of ``previous`` (that still exist) whose slot or
    table changed or that are no longer placed.
    """

    placements: tuple[Placement, ...]
    unscheduled: tuple[str, ...]
    objective: float
    optimal: bool = False
    baseline_scheduled: int = 0
    method: str = "given"  # "cp-sat", "greedy", or "given" (read back, e.g. as previous)
    status: str = ""  # the solver's status name(s), for the record
    seconds: float = 0.0
    count_bound: int | None = None  # the solver's proven upper bound on meetings placed
    moved: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.placements)


# --- input ------------------------------------------------------------------------------


def parse_problem(data: Any) -> Problem:
    """The problem from the JSON object ``{"slots", "tables", "participants", "meetings",
    "time_limit_s"?}``, refused with a ``ProblemError`` naming the field when anything is
    missing, of the wrong type, unknown, duplicated or over a limit."""
    obj = _object(
        data,
        "",
        required={"slots", "tables", "participants", "meetings"},
        optional={"time_limit_s"},
    )
    slots = _list(obj["slots"], "slots", limit=MAX_SLOTS)
    participants = _list(obj["participants"], "participants", limit=MAX_PARTICIPANTS)
    meetings = _list(obj["meetings"], "meetings", limit=MAX_MEETINGS)
    people = []
    for i, item in enumerate(participants):
        path = f"participants[{i}]"
        p = _object(item, path, required={"id"}, optional={"unavailable"})
        away = _list(p.get("unavailable", []), f"{path}.unavailable", limit=MAX_SLOTS)
        people.append(
            Participant(
                _id(p["id"], f"{path}.id"),
                tuple(_id(s, f"{path}.unavailable[{j}]") for j, s in enumerate(away)),
            )
        )
    agenda = []
    for i, item in enumerate(meetings):
        path = f"meetings[{i}]"
        m = _object(item, path, required={"id", "a", "b", "weight"})
        agenda.append(
            Meeting(
                _id(m["id"], f"{path}.id"),
                _id(m["a"], f"{path}.a"),
                _id(m["b"], f"{path}.b"),
                _number(m["weight"], f"{path}.weight"),
            )
        )
    limit = obj.get("time_limit_s", DEFAULT_TIME_LIMIT_S)
    return Problem(
        slots=tuple(_id(s, f"slots[{i}]") for i, s in enumerate(slots)),
        tables=_integer(obj["tables"], "tables"),
        participants=tuple(people),
        meetings=tuple(agenda),
        time_limit_s=_number(limit, "time_limit_s"),
    )


def parse_schedule(data: Any) -> Schedule:
    """A schedule read back from ``to_json``'s object (only ``scheduled`` is required), to
    pass as ``previous``. Only the shape is checked here: meetings or slots that no longer
    exist in the new problem are simply not kept."""
    obj = _object(
        data,
        "",
        required={"scheduled"},
        optional={"unscheduled", "objective", "optimal", "baseline_scheduled"},
    )
    rows = _list(obj["scheduled"], "scheduled", limit=MAX_MEETINGS)
    placements = []
    for i, item in enumerate(rows):
        path = f"scheduled[{i}]"
        row = _object(item, path, required={"meeting", "slot", "table"})
        placements.append(
            Placement(
                _id(row["meeting"], f"{path}.meeting"),
                _id(row["slot"], f"{path}.slot"),
                _integer(row["table"], f"{path}.table", least=1),
            )
        )
    return Schedule(placements=tuple(placements), unscheduled=(), objective=0.0)


def _object(
    data: Any, path: str, *, required: set[str], optional: Iterable[str] = ()
) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ProblemError(path, "应为 JSON 对象")
    allowed = required.union(optional)
    for key in data:
        if key not in allowed:
            known = "、".join(sorted(allowed))
            raise ProblemError(_join(path, str(key)), f"未知字段（可用字段：{known}）")
    for key in sorted(required):
        if key not in data:
            raise ProblemError(_join(path, key), "缺少此字段")
    return data


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _list(value: Any, path: str, *, limit: int) -> list[Any]:
    if not isinstance(value, list):
        raise ProblemError(path, "应为数组")
    if len(value) > limit:
        raise ProblemError(path, f"最多 {limit:,} 项，收到 {len(value):,} 项")
    return value


def _id(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProblemError(path, "应为非空字符串")
    if len(value) > MAX_ID_LENGTH:
        raise ProblemError(path, f"不能超过 {MAX_ID_LENGTH} 个字符")
    return value


def _integer(value: Any, path: str, *, least: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProblemError(path, "应为整数")
    if least is not None and value < least:
        raise ProblemError(path, f"应不小于 {least}")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProblemError(path, "应为数字")
    return value


def _validate(p: Problem) -> None:
    """The rules between a problem's parts: one place, whether it came from JSON or code."""
    if not p.slots:
        raise ProblemError("slots", "至少需要一个时段")
    if len(p.slots) > MAX_SLOTS:
        raise ProblemError("slots", f"最多 {MAX_SLOTS:,} 个时段")
    _unique("slots", p.slots)
    if isinstance(p.tables, bool) or not isinstance(p.tables, int) or p.tables < 1:
        raise ProblemError("tables", "桌数应为正整数")
    if p.tables > MAX_TABLES:
        raise ProblemError("tables", f"桌数最多 {MAX_TABLES:,}")
    if len(p.participants) > MAX_PARTICIPANTS:
        raise ProblemError("participants", f"最多 {MAX_PARTICIPANTS:,} 位参会者")
    if len(p.meetings) > MAX_MEETINGS:
        raise ProblemError("meetings", f"最多 {MAX_MEETINGS:,} 场会谈")
    if len(p.meetings) * len(p.slots) > MAX_CHOICES:
        raise ProblemError(
            "meetings",
            f"会谈数 × 时段数不能超过 {MAX_CHOICES:,}（现为 {len(p.meetings) * len(p.slots):,}）",
        )
    if not (0 < p.time_limit_s <= MAX_TIME_LIMIT_S) or not math.isfinite(p.time_limit_s):
        raise ProblemError("time_limit_s", f"应在 0 到 {MAX_TIME_LIMIT_S:g} 秒之间")
    _unique("participants", [x.id for x in p.participants], ".id")
    slots = set(p.slots)
    for i, person in enumerate(p.participants):
        for j, s in enumerate(person.unavailable):
            if s not in slots:
                path = f"participants[{i}].unavailable[{j}]"
                raise ProblemError(path, f"时段 “{s}” 不在 slots 中")
    _unique("meetings", [m.id for m in p.meetings], ".id")
    people = {x.id for x in p.participants}
    for i, m in enumerate(p.meetings):
        for side in ("a", "b"):
            if getattr(m, side) not in people:
                raise ProblemError(
                    f"meetings[{i}].{side}", f"参会者 “{getattr(m, side)}” 不在 participants 中"
                )
        if m.a == m.b:
            raise ProblemError(f"meetings[{i}].b", f"不能与自己会谈（“{m.a}”）")
        if isinstance(m.weight, bool) or not math.isfinite(m.weight) or m.weight < 0:
            raise ProblemError(f"meetings[{i}].weight", "权重应为非负的有限数")


def _unique(path: str, ids: Sequence[str], suffix: str = "") -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise ProblemError(f"{path}[{i}]{suffix}", f"“{x}” 重复")
        seen.add(x)


# --- the baseline -----------------------------------------------------------------------


def greedy(problem: Problem) -> Schedule:
    """The baseline: meetings by weight, heaviest first (input order among equals), each
    into the first slot (in slot order) where both participants are free and a table is."""
    start = time.perf_counter()
    slot_of = _greedy_slots(problem)
    return _finish(
        problem,
        slot_of,
        {},
        optimal=False,
        baseline_scheduled=len(slot_of),
        method="greedy",
        status="greedy",
        seconds=time.perf_counter() - start,
    )


def _greedy_slots(problem: Problem, prefer: Mapping[str, str] | None = None) -> dict[str, str]:
    """Meeting id → slot, greedily; meetings in ``prefer`` first keep their slot if it still
    fits (the repair of a previous schedule)."""
    away = problem.unavailable
    busy: set[tuple[str, str]] = set()
    load: Counter[str] = Counter()
    slot_of: dict[str, str] = {}
    order = sorted(problem.meetings, key=lambda m: -m.weight)

    def fits(m: Meeting, s: str) -> bool:
        return (
            load[s] < problem.tables
            and s not in away[m.a]
            and s not in away[m.b]
            and (m.a, s) not in busy
            and (m.b, s) not in busy
        )

    def place(m: Meeting, s: str) -> None:
        slot_of[m.id] = s
        load[s] += 1
        busy.update(((m.a, s), (m.b, s)))

    for m in order:
        s = (prefer or {}).get(m.id)
        if s is not None and s in problem.slot_index and fits(m, s):
            place(m, s)
    for m in order:
        if m.id not in slot_of:
            s = next((s for s in problem.slots if fits(m, s)), None)
            if s is not None:
                place(m, s)
    return slot_of


# --- the solver -------------------------------------------------------------------------


def solve(
    problem: Problem,
    *,
    previous: Schedule | None = None,
    time_limit_s: float | None = None,
    workers: int = 2,
) -> Schedule:
    """The best schedule CP-SAT finds within ``time_limit_s`` (default: the problem's) on
    ``workers`` threads; ``optimal`` when every level was proven best.

    The levels are solved in turn on one model, each later solve keeping the earlier
    levels at the values found (``count >= c``, then ``kept >= k``), so the order is
    exact. Staging rather than one big-M objective (count × (1 + Σw) + weight) because the
    count level is then a pure 0/1 objective, which CP-SAT's core-based search settles in
    under a second on a full 960-meeting instance where the big-M objective took 20–25 s.
    A level is skipped when its starting point is provably best already (the count meets
    ``_count_bound``, or every meeting that can be placed is). Time: the count level gets
    half of the limit (40 % with ``previous``), then with ``previous`` the kept level 60 % of
    what is left, and the weight level the rest.

    The starting point is the greedy schedule or, with ``previous``, the previous one
    repaired and completed greedily, whichever is better. Tables are assigned afterwards,
    slot by slot: a meeting that stays in its slot keeps its table.
    """
    start = time.perf_counter()
    deadline = start + (problem.time_limit_s if time_limit_s is None else time_limit_s)
    baseline = _greedy_slots(problem)
    before = _previous_places(problem, previous)
    weight = dict(
        zip(
            (m.id for m in problem.meetings),
            _integer_weights([m.weight for m in problem.meetings]),
            strict=True,
        )
    )

    def score(slot_of: Mapping[str, str]) -> tuple[int, int]:
        return len(slot_of), sum(weight[m] for m in slot_of)

    best = baseline
    if before:
        repaired = _greedy_slots(problem, prefer={m: s for m, (s, _) in before.items()})
        best = max(baseline, repaired, key=score)
    model = _AgendaModel(problem, weight, workers)
    statuses: list[str] = []

    def share(fraction: float) -> float:
        return max(deadline - time.perf_counter(), 0.0) * fraction

    # 1. as many meetings as possible
    bound = _count_bound(problem)
    proven = len(best) >= bound
    if proven:
        statuses.append("count:bound")
    else:
        found, status, solver_bound = model.run(
            model.count, best, share(0.4 if before else 0.5), "core"
        )
        statuses.append(f"count:{status}")
        if found is not None and len(found) > len(best):
            best = found
        bound = min(bound, solver_bound)
        proven = status == "OPTIMAL" or len(best) >= bound
    model.require(model.count, len(best))
    # 2. when regenerating, as few moved as possible: people already hold their agendas,
    # and a meeting moved for a sliver of match score costs them more than it gains
    keep = model.keep(before)
    if keep is not None:
        kept = sum(1 for m, (s, _) in before.items() if best.get(m) == s)
        if kept == len(model.keepable):
            statuses.append("kept:bound")
        else:
            found, status, _ = model.run(keep, best, share(0.6), None)
            statuses.append(f"kept:{status}")
            if found is not None and _kept(found, before) > kept:
                best = found
            proven = proven and status == "OPTIMAL"
        model.require(keep, _kept(best, before))
    # 3. then the heaviest total
    if len(best) == len(model.placed):  # every meeting that can be placed is
        statuses.append("weight:bound")
    else:
        found, status, _ = model.run(model.weight, best, share(1.0), "max_lp")
        statuses.append(f"weight:{status}")
        if found is not None and score(found)[1] > score(best)[1]:
            best = found
        proven = proven and status == "OPTIMAL"
    return _finish(
        problem,
        best,
        before,
        optimal=proven,
        baseline_scheduled=len(baseline),
        method="cp-sat",
        status=" ".join(statuses),
        seconds=time.perf_counter() - start,
        count_bound=bound,
    )


class _AgendaModel:
    """The CP-SAT model: ``x[i, j]`` is meeting i in slot j (only for slots both can
    attend), ``y[i]`` = Σ_j x[i, j] ≤ 1 is meeting i placed; one meeting per participant
    per slot, at most ``tables`` per slot."""

    def __init__(self, problem: Problem, weight: Mapping[str, int], workers: int) -> None:
        # Imported here: it pulls in numpy and pandas, which parsing, greedy and check
        # (and the web process importing them) do not need.
        from ortools.sat.python import cp_model

        self.cp_model = cp_model
        self.problem = problem
        self.workers = workers
        cp = self.cp = cp_model.CpModel()
        self.x: dict[tuple[int, int], Any] = {}
        self.placed: dict[int, Any] = {}
        by_person: defaultdict[tuple[str, int], list[Any]] = defaultdict(list)
        by_slot: defaultdict[int, list[Any]] = defaultdict(list)
        for i, m in enumerate(problem.meetings):
            own = []
            for s in problem.open_slots(m):
                j = problem.slot_index[s]
                var = self.x[i, j] = cp.new_bool_var("")
                own.append(var)
                by_person[m.a, j].append(var)
                by_person[m.b, j].append(var)
                by_slot[j].append(var)
            if own:
                y = self.placed[i] = cp.new_bool_var("")
                cp.add(cp_model.LinearExpr.sum(own) == y)
        for group in by_person.values():
            if len(group) > 1:
                cp.add_at_most_one(group)
        for group in by_slot.values():
            if len(group) > problem.tables:
                cp.add(cp_model.LinearExpr.sum(group) <= problem.tables)
        self.count = cp_model.LinearExpr.sum(list(self.placed.values()))
        heavy = [i for i in self.placed if weight[problem.meetings[i].id] > 0]
        self.weight = cp_model.LinearExpr.weighted_sum(
            [self.placed[i] for i in heavy], [weight[problem.meetings[i].id] for i in heavy]
        )
        self.keepable: list[tuple[int, int]] = []

    def keep(self, before: Mapping[str, tuple[str, int]]) -> Any | None:
        """The number of meetings left in their previous slot, or None when none can be."""
        index = {m.id: i for i, m in enumerate(self.problem.meetings)}
        self.keepable = [
            key
            for key in (
                (index[m], self.problem.slot_index.get(s, -1)) for m, (s, _) in before.items()
            )
            if key in self.x
        ]
        if not self.keepable:
            return None
        return self.cp_model.LinearExpr.sum([self.x[k] for k in self.keepable])

    def require(self, expr: Any, value: int) -> None:
        self.cp.add(expr >= value)

    def run(
        self, objective: Any, hint: Mapping[str, str], seconds: float, subsolver: str | None
    ) -> tuple[dict[str, str] | None, str, int]:
        """Maximise ``objective`` from ``hint``: (the schedule found or None, the status
        name, the proven upper bound on the objective)."""
        cp_model, problem, cp = self.cp_model, self.problem, self.cp
        cp.clear_objective()
        cp.maximize(objective)
        cp.clear_hints()
        for (i, j), var in self.x.items():
            cp.add_hint(var, hint.get(problem.meetings[i].id) == problem.slots[j])
        for i, var in self.placed.items():
            cp.add_hint(var, problem.meetings[i].id in hint)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(seconds, 0.05)
        solver.parameters.num_workers = self.workers
        if subsolver and self.workers <= 2:
            # Two workers run one full solver (plus interleaved neighbourhood search); pick
            # the one that suits the level: core-based search proves and fills a 0/1 count
            # fast, max_lp gives a real bound on the weight.
            solver.parameters.subsolvers.append(subsolver)
        status = solver.solve(cp)
        name = solver.status_name(status)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, name, 2**62
        found = {
            problem.meetings[i].id: problem.slots[j]
            for (i, j), var in self.x.items()
            if solver.boolean_value(var)
        }
        return found, name, math.floor(solver.best_objective_bound + 1e-6)


def _kept(slot_of: Mapping[str, str], before: Mapping[str, tuple[str, int]]) -> int:
    return sum(1 for m, (s, _) in before.items() if slot_of.get(m) == s)


def _count_bound(problem: Problem) -> int:
    """An upper bound on the meetings any schedule places: no more than can be placed at
    all, than the tables and the participants present allow per slot (two per meeting),
    or than half the participants' own limits (meetings they have, slots they can use)."""
    open_slots = {m.id: problem.open_slots(m) for m in problem.meetings}
    placeable = [m for m in problem.meetings if open_slots[m.id]]
    present: defaultdict[str, set[str]] = defaultdict(set)
    meetings_in: Counter[str] = Counter()
    degree: Counter[str] = Counter()
    usable: defaultdict[str, set[str]] = defaultdict(set)
    for m in placeable:
        for s in open_slots[m.id]:
            present[s].update((m.a, m.b))
            meetings_in[s] += 1
        for person in (m.a, m.b):
            degree[person] += 1
            usable[person].update(open_slots[m.id])
    per_slot = sum(min(problem.tables, len(present[s]) // 2, meetings_in[s]) for s in problem.slots)
    per_person = sum(min(degree[p], len(usable[p])) for p in degree) // 2
    return min(len(placeable), per_slot, per_person)


def _integer_weights(weights: Sequence[float]) -> list[int]:
    """Weights as integers for the solver. Scaled by the smallest power of ten that makes
    every weight whole while the largest stays ≤ ``WEIGHT_RESOLUTION`` (so scores with up
    to six decimals compare exactly); otherwise scaled so the largest is
    ``WEIGHT_RESOLUTION`` and totals are compared to that precision."""
    top = max(weights, default=0.0)
    if top <= 0:
        return [0] * len(weights)
    scale = 1.0
    while top * scale <= WEIGHT_RESOLUTION:
        if all(abs(w * scale - round(w * scale)) < 1e-6 for w in weights):
            return [round(w * scale) for w in weights]
        scale *= 10
    return [round(w * WEIGHT_RESOLUTION / top) for w in weights]


def _previous_places(problem: Problem, previous: Schedule | None) -> dict[str, tuple[str, int]]:
    """Meeting id → (slot, table) in ``previous``, for the meetings that still exist."""
    if previous is None:
        return {}
    meetings = {m.id for m in problem.meetings}
    return {x.meeting: (x.slot, x.table) for x in previous.placements if x.meeting in meetings}


def _finish(
    problem: Problem,
    slot_of: Mapping[str, str],
    before: Mapping[str, tuple[str, int]],
    **info: Any,
) -> Schedule:
    """The schedule with tables: per slot, meetings staying in their slot keep their table
    (when it still exists), the others take the lowest free ones in input order."""
    by_slot: defaultdict[str, list[str]] = defaultdict(list)
    for m in problem.meetings:
        if m.id in slot_of:
            by_slot[slot_of[m.id]].append(m.id)
    placements: list[Placement] = []
    for s in problem.slots:
        table_of: dict[str, int] = {}
        used: set[int] = set()
        for m_id in by_slot[s]:
            was = before.get(m_id)
            if was and was[0] == s and 1 <= was[1] <= problem.tables and was[1] not in used:
                table_of[m_id] = was[1]
                used.add(was[1])
        free = (t for t in range(1, problem.tables + 1) if t not in used)
        for m_id in by_slot[s]:
            if m_id not in table_of:
                table_of[m_id] = next(free)
        placements += sorted(
            (Placement(m_id, s, t) for m_id, t in table_of.items()), key=lambda x: x.table
        )
    weight = {m.id: m.weight for m in problem.meetings}
    now = {x.meeting: (x.slot, x.table) for x in placements}
    return Schedule(
        placements=tuple(placements),
        unscheduled=tuple(sorted(m.id for m in problem.meetings if m.id not in slot_of)),
        objective=round(math.fsum(weight[m] for m in slot_of), 9),
        moved=tuple(sorted(m for m, place in before.items() if now.get(m) != place)),
        **info,
    )


# --- checking and output ----------------------------------------------------------------


def check(problem: Problem, schedule: Schedule) -> list[str]:
    """Every rule ``schedule`` breaks in ``problem`` (empty when it keeps them all).

    Written apart from the greedy and the solver code, for tests and benchmarks: each
    meeting exists and is placed once, in an existing slot both participants can attend,
    nobody twice in a slot, tables 1..``tables`` each used once per slot, ``unscheduled``
    is exactly the rest (sorted), ``objective`` is the placed weight, and placements are
    in slot order then table order."""
    errors: list[str] = []
    meetings = {m.id: m for m in problem.meetings}
    away = problem.unavailable
    placed: set[str] = set()
    at: dict[tuple[str, str], str] = {}  # (participant or "#table", slot) → meeting
    load: Counter[str] = Counter()
    for x in schedule.placements:
        m = meetings.get(x.meeting)
        where = f"会谈 “{x.meeting}”"
        if m is None:
            errors.append(f"{where} 不存在")
        if x.meeting in placed:
            errors.append(f"{where} 安排了不止一次")
        placed.add(x.meeting)
        if x.slot not in problem.slot_index:
            errors.append(f"{where}：时段 “{x.slot}” 不存在")
            continue
        load[x.slot] += 1
        if not 1 <= x.table <= problem.tables:
            errors.append(f"{where}：桌号 {x.table} 不在 1–{problem.tables} 之内")
        key = (f"#{x.table}", x.slot)
        if key in at:
            errors.append(f"{where} 与 “{at[key]}” 同在时段 “{x.slot}” 的 {x.table} 号桌")
        at[key] = x.meeting
        for person in (m.a, m.b) if m else ():
            if x.slot in away[person]:
                errors.append(f"{where}：参会者 “{person}” 不能参加时段 “{x.slot}”")
            if (person, x.slot) in at:
                errors.append(
                    f"{where}：参会者 “{person}” 在时段 “{x.slot}” 还有会谈 “{at[person, x.slot]}”"
                )
            at[person, x.slot] = x.meeting
    for s, n in load.items():
        if n > problem.tables:
            errors.append(f"时段 “{s}” 安排了 {n} 场会谈，超过 {problem.tables} 张桌")
    rest = sorted(set(meetings) - placed)
    if list(schedule.unscheduled) != rest:
        errors.append(f"unscheduled 应为 {rest[:10]}{'…' if len(rest) > 10 else ''}")
    total = math.fsum(meetings[m].weight for m in placed if m in meetings)
    if not math.isclose(schedule.objective, total, rel_tol=1e-9, abs_tol=1e-6):
        errors.append(f"objective 为 {schedule.objective}，已安排会谈的权重之和为 {total}")
    order = [(problem.slot_index.get(x.slot, -1), x.table) for x in schedule.placements]
    if order != sorted(order):
        errors.append("scheduled 应按时段顺序、再按桌号排列")
    return errors


def to_json(schedule: Schedule) -> dict[str, Any]:
    """The CLI's output object: ``scheduled`` (in slot order, then table), ``unscheduled``
    (sorted ids), ``objective`` (the total weight of the placed meetings), ``optimal`` and
    ``baseline_scheduled`` (how many the greedy baseline placed)."""
    return {
        "scheduled": [
            {"meeting": x.meeting, "slot": x.slot, "table": x.table} for x in schedule.placements
        ],
        "unscheduled": list(schedule.unscheduled),
        "objective": schedule.objective,
        "optimal": schedule.optimal,
        "baseline_scheduled": schedule.baseline_scheduled,
    }


def generate(data: Any, previous: Any = None) -> dict[str, Any]:
    """``portal agenda``'s whole job: the input object in, the output object out.
    ``previous`` is an earlier output object, to regenerate moving as little as possible."""
    problem = parse_problem(data)
    before = None if previous is None else parse_schedule(previous)
    return to_json(solve(problem, previous=before))
