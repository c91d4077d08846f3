"""``portal evaluate``: the matching evaluation.

On the project's labelled set (seed/eval): the data set is imported with the portal's own
importer into a throwaway database, indexed into a throwaway embedded index, and every
demand of the chosen part is ranked with each strategy; nothing touches the configured
database or index. ``--tune`` fits the weights on the tuning part.

On what people did (``--from-feedback``, ``--judgments``): pairs of the configured database
graded from match feedback and introductions (or read from a judgments file), ranked by
the configured engine and index; they can be exported and the weights fitted on them.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from statistics import mean

from sqlmodel import Session, select

from matching.documents import DemandDoc
from matching.embedded import EmbeddedBackend
from matching.engine import STRATEGIES, MatchEngine
from matching.evaluation import (
    RELEVANT,
    FitRow,
    JudgedDemand,
    fit_table,
    mean_quality,
    ndcg_at_k,
    precision_at_k,
    reciprocal_rank,
    tune_weights,
)
from portal.bootstrap import migrate
from portal.db import make_engine
from portal.imports.service import import_lines
from portal.matching.service import demand_doc
from portal.matching.service import make_engine as make_match_engine
from portal.models import Demand, Introduction, MatchFeedback, Organization, Solution
from portal.reference.service import load_reference
from portal.reference.vocab import SEED_DIR
from portal.search.gateway import SearchGateway, get_pipeline
from portal.search.sync import reindex

EVAL_DIR = SEED_DIR / "eval"
# The evaluation pins its own date so expiry and freshness do not drift with the calendar.
EVAL_TODAY = date(2026, 11, 1)


@dataclass
class Scores:
    ndcg10: list[float] = field(default_factory=list)
    mrr: list[float] = field(default_factory=list)
    p5: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {
            "ndcg@10": round(mean(self.ndcg10), 4) if self.ndcg10 else 0.0,
            "mrr": round(mean(self.mrr), 4) if self.mrr else 0.0,
            "p@5": round(mean(self.p5), 4) if self.p5 else 0.0,
        }


@dataclass
class EvaluationReport:
    part: str
    demands: int
    scores: dict[str, dict[str, float]]
    hard: dict[str, dict[str, float]]
    hard_demands: int
    gate_violations: dict[str, int]
    per_demand: dict[str, dict[str, float]]
    # The fit tier of `full` in the top 10: min_fit, precision and recall of "high" for the
    # relevant matches (grade ≥ 2), and the demands left with no recommendation.
    fit: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class GradedPair:
    demand: str  # external ids, as in seed/eval/judgments.jsonl
    solution: str
    grade: int
    why: str


def read_pairs(path: Path) -> list[GradedPair]:
    """Graded pairs from a file in the format of seed/eval/judgments.jsonl."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(
                GradedPair(row["demand"], row["solution"], int(row["grade"]), row.get("why", ""))
            )
    return out


def write_pairs(pairs: list[GradedPair], path: Path) -> None:
    """The pairs in the format of seed/eval/judgments.jsonl."""
    lines = [
        json.dumps(
            {"demand": p.demand, "solution": p.solution, "grade": p.grade, "why": p.why},
            ensure_ascii=False,
        )
        for p in pairs
    ]
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def grades_by_demand(pairs: list[GradedPair]) -> dict[str, dict[str, int]]:
    grades: dict[str, dict[str, int]] = {}
    for p in pairs:
        grades.setdefault(p.demand, {})[p.solution] = p.grade
    return grades


def load_judgments(directory: Path = EVAL_DIR) -> dict[str, dict[str, int]]:
    return grades_by_demand(read_pairs(directory / "judgments.jsonl"))


@contextmanager
def eval_environment(directory: Path = EVAL_DIR) -> Iterator[tuple[Session, SearchGateway]]:
    """The labelled data set imported into a throwaway database and embedded index."""
    with tempfile.TemporaryDirectory(prefix="portal-eval-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'eval.sqlite3'}")
        migrate(engine)
        try:
            with Session(engine) as session:
                load_reference(session)
                report = import_lines(
                    session, (directory / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
                )
                if not report.ok:
                    raise RuntimeError(
                        "评测数据有误：" + "；".join(str(i) for i in report.issues[:5])
                    )
                session.commit()
                gateway = SearchGateway(
                    EmbeddedBackend(Path(tmp) / "index", prefix="eval"), get_pipeline()
                )
                gateway.ensure_indexes()
                reindex(session, gateway)
                yield session, gateway
        finally:
            engine.dispose()


def eval_part(part: str, directory: Path = EVAL_DIR) -> list[str]:
    """The external ids of the demands of ``part`` (tuning, test or all)."""
    split = json.loads((directory / "split.json").read_text(encoding="utf-8"))
    if part not in ("tuning", "test", "all"):
        raise ValueError(part)
    return split["tuning"] + split["test"] if part == "all" else list(split[part])


def evaluate(
    *,
    part: str = "test",
    directory: Path = EVAL_DIR,
    weights: dict[str, float] | None = None,
) -> EvaluationReport:
    chosen = eval_part(part, directory)
    split = json.loads((directory / "split.json").read_text(encoding="utf-8"))
    hard = set(split.get("hard", []))
    grades = load_judgments(directory)
    with eval_environment(directory) as (session, gateway):
        matcher = make_match_engine(gateway, weights=weights)
        scores = {s: Scores() for s in STRATEGIES}
        hard_scores = {s: Scores() for s in STRATEGIES}
        violations: dict[str, int] = dict.fromkeys(STRATEGIES, 0)
        per_demand: dict[str, dict[str, float]] = {}
        high = high_relevant = relevant = no_recommendation = 0
        for external_id in chosen:
            demand = session.exec(select(Demand).where(Demand.external_id == external_id)).one()
            org = session.get(Organization, demand.org_id)
            assert org is not None
            doc = demand_doc(gateway, demand, org)
            judged = grades.get(external_id, {})
            per_demand[external_id] = {}
            for strategy in STRATEGIES:
                ranked = matcher.rank_solutions(doc, today=EVAL_TODAY, limit=10, strategy=strategy)
                ids = [m.external_id for m in ranked]
                violations[strategy] += _gate_violations(session, doc, ids)
                targets = [scores[strategy]] + (
                    [hard_scores[strategy]] if external_id in hard else []
                )
                n = ndcg_at_k(ids, judged)
                for target in targets:
                    target.ndcg10.append(n)
                    target.mrr.append(reciprocal_rank(ids, judged))
                    target.p5.append(precision_at_k(ids, judged))
                per_demand[external_id][strategy] = round(n, 4)
                if strategy == "full":
                    fits = [
                        (m.fit == "high", judged.get(m.external_id, 0) >= RELEVANT) for m in ranked
                    ]
                    high += sum(h for h, _r in fits)
                    high_relevant += sum(h and r for h, r in fits)
                    relevant += sum(r for _h, r in fits)
                    no_recommendation += not any(h for h, _r in fits)
    return EvaluationReport(
        part=part,
        demands=len(chosen),
        scores={s: scores[s].summary() for s in STRATEGIES},
        hard={s: hard_scores[s].summary() for s in STRATEGIES},
        hard_demands=len(hard & set(chosen)),
        gate_violations=violations,
        per_demand=per_demand,
        fit={
            "min_fit": matcher.min_fit,
            "precision": round(high_relevant / high, 4) if high else 1.0,
            "recall": round(high_relevant / relevant, 4) if relevant else 1.0,
            "no_recommendation": no_recommendation,
        },
    )


def judged_demands(
    session: Session,
    gateway: SearchGateway,
    matcher: MatchEngine,
    grades: dict[str, dict[str, int]],
    *,
    external_ids: list[str],
    today: date,
) -> list[JudgedDemand]:
    """Each demand of ``external_ids`` with its retrieved candidates and its grades."""
    out = []
    for external_id in external_ids:
        demand = session.exec(select(Demand).where(Demand.external_id == external_id)).first()
        org = session.get(Organization, demand.org_id) if demand else None
        if demand is None or org is None:
            continue
        prepared, candidates = matcher.solution_candidates(
            demand_doc(gateway, demand, org), today=today
        )
        out.append(JudgedDemand(prepared, candidates, grades.get(external_id, {})))
    return out


@dataclass
class Tuning:
    weights: dict[str, float]
    before: tuple[float, float]  # (nDCG@10, MRR) on the judged demands, current weights
    after: tuple[float, float]  # the same with the fitted weights
    fit_before: list[FitRow]  # the minimum-fit table under the current weights
    fit_after: list[FitRow]  # and under the fitted ones


FIT_THRESHOLDS = [round(0.40 + 0.01 * i, 2) for i in range(51)]


def tune(*, directory: Path = EVAL_DIR, weights: dict[str, float] | None = None) -> Tuning:
    """Fit the weights on the tuning part of seed/eval (never the test part), and tabulate
    the minimum fit under the current weights and the fitted ones."""
    grades = load_judgments(directory)
    with eval_environment(directory) as (session, gateway):
        matcher = make_match_engine(gateway, weights=weights)
        judged = judged_demands(
            session,
            gateway,
            matcher,
            grades,
            external_ids=eval_part("tuning", directory),
            today=EVAL_TODAY,
        )
        return tune_judged(matcher, judged, today=EVAL_TODAY)


def tune_judged(matcher: MatchEngine, judged: list[JudgedDemand], *, today: date) -> Tuning:
    before = mean_quality(matcher, judged, today=today)
    learned, after = tune_weights(matcher, judged, today=today)
    return Tuning(
        weights=learned,
        before=before,
        after=after,
        fit_before=fit_table(matcher, judged, today=today, thresholds=FIT_THRESHOLDS),
        fit_after=fit_table(
            matcher.with_weights(learned), judged, today=today, thresholds=FIT_THRESHOLDS
        ),
    )


def format_tuning(tuning: Tuning) -> str:
    lines = [
        f"当前权重 nDCG@10 {tuning.before[0]:.4f}，MRR {tuning.before[1]:.4f}",
        f"拟合权重 nDCG@10 {tuning.after[0]:.4f}，MRR {tuning.after[1]:.4f}",
        "拟合权重（可写入 PORTAL_MATCH_WEIGHTS）:",
        json.dumps(tuning.weights, ensure_ascii=False),
        "",
        "最低匹配度：前 10 名中高于阈值者相关的比例 P、相关者高于阈值的比例 R、F1、"
        "无推荐的需求数；左为当前权重，右为拟合权重，* 为 F1 最高",
        f"{'阈值':<4}" + f"{'P':>7}{'R':>7}{'F1':>7}{'无推荐':>6} " * 2,
    ]
    columns = []
    for table in (tuning.fit_before, tuning.fit_after):
        best = max(table, key=lambda row: row.f1, default=None)
        columns.append(
            [
                f"{r.precision:>7.3f}{r.recall:>7.3f}{r.f1:>7.3f}{r.empty:>8}"
                + ("*" if r is best else " ")
                for r in table
            ]
        )
    for row, left, right in zip(tuning.fit_before, *columns, strict=True):
        lines.append(f"{row.threshold:<6.2f}{left}{right}")
    return "\n".join(lines)


def _gate_violations(session: Session, demand: DemandDoc, ids: list[str]) -> int:
    count = 0
    for external_id in ids:
        solution = session.exec(select(Solution).where(Solution.external_id == external_id)).one()
        serves = {demand.city, "hunan", "national"} & set(solution.regions)
        has_all = all(c in solution.capabilities for c in demand.must_have)
        if not (serves and has_all and solution.status == "published"):
            count += 1
    return count


def format_report(report: EvaluationReport) -> str:
    lines = [f"匹配评测（{report.part} 部分，{report.demands} 个需求）", ""]
    lines.append(f"{'strategy':<10}{'nDCG@10':>10}{'MRR':>10}{'P@5':>10}")
    for strategy, s in report.scores.items():
        lines.append(f"{strategy:<10}{s['ndcg@10']:>10.4f}{s['mrr']:>10.4f}{s['p@5']:>10.4f}")
    lines.append("")
    lines.append(f"词语相近的干扰项多的需求（{report.hard_demands} 个）:")
    for strategy, s in report.hard.items():
        lines.append(f"{strategy:<10}{s['ndcg@10']:>10.4f}{s['mrr']:>10.4f}{s['p@5']:>10.4f}")
    gain = report.hard["full"]["ndcg@10"] - report.hard["text"]["ndcg@10"]
    lines.append(f"full − text（nDCG@10，干扰项多的需求）: {gain:+.4f}")
    lines.append(
        "前 10 名中违反硬性条件的结果: "
        + "，".join(f"{s} {n}" for s, n in report.gate_violations.items())
    )
    fit = report.fit
    lines.append(
        f"最低匹配度 {fit['min_fit']:.2f}（full 前 10 名）: "
        f"推荐中相关的比例 {fit['precision']:.4f}，相关结果被推荐的比例 {fit['recall']:.4f}，"
        f"无推荐的需求 {fit['no_recommendation']:g} 个"
    )
    return "\n".join(lines)


# --- learning from what people did (portal evaluate --from-feedback) ---------------------

# The grade a side's latest action gives a pair; unshortlist and undismiss withdraw the
# side's mark, so that side then says nothing about the pair.
ACTION_GRADES = {"accept": 3, "request": 2, "shortlist": 2, "decline": 0, "dismiss": 0}
# An introduction's stage: accepted and everything after it is a 3; declined is a 0; asked
# and not (or not yet) answered is a 2, the asking side's interest.
ACCEPTED_STAGES = frozenset({"accepted", "negotiating", "poc", "contract", "network_live"})
ACTION_NAMES = {
    "accept": "接受",
    "request": "请求对接",
    "shortlist": "收藏",
    "decline": "拒绝",
    "dismiss": "不合适",
}


def _introduction_grade(intro: Introduction) -> tuple[int, str]:
    if intro.stage in ACCEPTED_STAGES or (intro.stage == "closed" and intro.answered_at):
        return 3, f"介绍已接受（{intro.stage}）"
    if intro.stage == "declined":
        return 0, "介绍被拒绝"
    return 2, f"请求对接（{intro.stage}）"


def _combined(signals: list[tuple[int, str]]) -> tuple[int, str]:
    """An acceptance is the strongest evidence; otherwise one side's no (declined,
    dismissed) outweighs the other side's interest: the pair is not a match."""
    for wanted in (3, 0):
        for grade, why in signals:
            if grade == wanted:
                return grade, why
    return max(signals)


def feedback_pairs(session: Session) -> list[GradedPair]:
    """Graded demand–solution pairs from MatchFeedback and Introduction rows: the latest
    action of each side of a pair counts, then the sides and the pair's latest introduction
    are combined (see :func:`_combined`)."""
    latest: dict[tuple[int, int, str], MatchFeedback] = {}
    for row in session.exec(
        select(MatchFeedback).order_by(MatchFeedback.at, MatchFeedback.id)  # type: ignore[arg-type]
    ):
        latest[(row.demand_id, row.solution_id, row.side)] = row
    signals: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for (demand_id, solution_id, side), row in latest.items():
        if row.action in ACTION_GRADES:
            who = "需求方" if side == "demand" else "供给方"
            name = ACTION_NAMES[row.action]
            signals.setdefault((demand_id, solution_id), []).append(
                (ACTION_GRADES[row.action], f"{who}{name}")
            )
    newest: dict[tuple[int, int], Introduction] = {}
    for intro in session.exec(
        select(Introduction).order_by(Introduction.created_at, Introduction.id)  # type: ignore[arg-type]
    ):
        newest[(intro.demand_id, intro.solution_id)] = intro
    for pair, intro in newest.items():
        signals.setdefault(pair, []).append(_introduction_grade(intro))
    demand_ids = {d for d, _s in signals}
    solution_ids = {s for _d, s in signals}
    demands = {
        d.id: d.external_id
        for d in session.exec(select(Demand).where(Demand.id.in_(demand_ids)))  # type: ignore[union-attr]
    }
    solutions = {
        s.id: s.external_id
        for s in session.exec(select(Solution).where(Solution.id.in_(solution_ids)))  # type: ignore[union-attr]
    }
    out = []
    for (demand_id, solution_id), found in sorted(signals.items()):
        grade, why = _combined(found)
        out.append(GradedPair(demands[demand_id], solutions[solution_id], grade, why))
    return out


def positive_demands(pairs: list[GradedPair]) -> list[str]:
    """The demands with at least one relevant pair (grade ≥ 2): only they can be ranked."""
    return sorted({p.demand for p in pairs if p.grade >= RELEVANT})


@dataclass
class FeedbackReport:
    pairs: int
    demands: int  # with at least one relevant pair
    scores: dict[str, dict[str, float]]
    # Each relevant pair's rank under each strategy (None: not in the top 10).
    positives: list[dict[str, str | int | None]]


def evaluate_pairs(
    session: Session,
    gateway: SearchGateway,
    pairs: list[GradedPair],
    *,
    today: date,
    weights: dict[str, float] | None = None,
) -> FeedbackReport:
    """Rank each demand with a relevant pair by every strategy of the current engine and
    measure the rankings against the graded pairs."""
    grades = grades_by_demand(pairs)
    matcher = make_match_engine(gateway, weights=weights)
    scores = {s: Scores() for s in STRATEGIES}
    positives: list[dict[str, str | int | None]] = []
    ranked_demands = 0
    for external_id in positive_demands(pairs):
        demand = session.exec(select(Demand).where(Demand.external_id == external_id)).first()
        org = session.get(Organization, demand.org_id) if demand else None
        if demand is None or org is None:
            continue
        ranked_demands += 1
        doc = demand_doc(gateway, demand, org)
        judged = grades[external_id]
        ranks: dict[str, list[str]] = {}
        for strategy in STRATEGIES:
            ids = [
                m.external_id
                for m in matcher.rank_solutions(doc, today=today, limit=10, strategy=strategy)
            ]
            ranks[strategy] = ids
            scores[strategy].ndcg10.append(ndcg_at_k(ids, judged))
            scores[strategy].mrr.append(reciprocal_rank(ids, judged))
            scores[strategy].p5.append(precision_at_k(ids, judged))
        for solution, grade in sorted(judged.items(), key=lambda item: -item[1]):
            if grade >= RELEVANT:
                row: dict[str, str | int | None] = {
                    "demand": external_id,
                    "solution": solution,
                    "grade": grade,
                }
                for name, ids in ranks.items():
                    row[name] = ids.index(solution) + 1 if solution in ids else None
                positives.append(row)
    return FeedbackReport(
        pairs=len(pairs),
        demands=ranked_demands,
        scores={s: scores[s].summary() for s in STRATEGIES},
        positives=positives,
    )


def format_feedback_report(report: FeedbackReport) -> str:
    lines = [
        f"按匹配反馈评测（{report.pairs} 对评分，{report.demands} 个需求有正面反馈）",
        "",
        f"{'strategy':<10}{'nDCG@10':>10}{'MRR':>10}{'P@5':>10}",
    ]
    for strategy, s in report.scores.items():
        lines.append(f"{strategy:<10}{s['ndcg@10']:>10.4f}{s['mrr']:>10.4f}{s['p@5']:>10.4f}")
    lines += ["", "正面反馈的方案在各排序中的名次（— 表示不在前 10 名）:"]
    for p in report.positives:
        ranks = "  ".join(f"{s} {'#' + str(p[s]) if p[s] is not None else '—'}" for s in STRATEGIES)
        lines.append(f"需求 {p['demand']}  方案 {p['solution']}（{p['grade']} 分）  {ranks}")
    return "\n".join(lines)


def tune_on_pairs(
    session: Session,
    gateway: SearchGateway,
    pairs: list[GradedPair],
    *,
    today: date,
    weights: dict[str, float] | None = None,
) -> Tuning:
    """Fit the weights on graded pairs of the configured database (from feedback or a
    judgments file), as :func:`tune` does on seed/eval."""
    matcher = make_match_engine(gateway, weights=weights)
    judged = judged_demands(
        session,
        gateway,
        matcher,
        grades_by_demand(pairs),
        external_ids=positive_demands(pairs),
        today=today,
    )
    return tune_judged(matcher, judged, today=today)
