"""Ranking metrics for the matching evaluation (graded relevance 0–3), and the two choices
they make: the feature weights (coordinate ascent on nDCG@10) and the minimum fit."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import mean

from matching.documents import SolutionDoc
from matching.engine import MatchEngine, PreparedDemand

RELEVANT = 2  # grade at or above which a result counts as relevant for MRR and P@k


def dcg(gains: Sequence[float]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first ``k`` results."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([grades.get(doc, 0) for doc in ranked[:k]]) / ideal


def reciprocal_rank(ranked: Sequence[str], grades: Mapping[str, int]) -> float:
    for i, doc in enumerate(ranked):
        if grades.get(doc, 0) >= RELEVANT:
            return 1.0 / (i + 1)
    return 0.0


def precision_at_k(ranked: Sequence[str], grades: Mapping[str, int], k: int = 5) -> float:
    return sum(1 for doc in ranked[:k] if grades.get(doc, 0) >= RELEVANT) / k


# --- choosing weights and the minimum fit ------------------------------------------------


@dataclass(frozen=True)
class JudgedDemand:
    """A demand, the candidates the engine retrieves for it (retrieval does not depend on
    the weights, so it runs once), and its graded solutions by external id."""

    prepared: PreparedDemand
    candidates: Sequence[SolutionDoc]
    grades: Mapping[str, int]


def mean_quality(
    engine: MatchEngine, judged: Sequence[JudgedDemand], *, today: date, k: int = 10
) -> tuple[float, float]:
    """(mean nDCG@k, mean MRR) of the engine's rankings of ``judged``."""
    ndcg: list[float] = []
    mrr: list[float] = []
    for case in judged:
        ranked = engine.rank_candidates(
            case.prepared, case.candidates, today=today, limit=k, explain=False
        )
        ids = [m.external_id for m in ranked]
        ndcg.append(ndcg_at_k(ids, case.grades, k))
        mrr.append(reciprocal_rank(ids, case.grades))
    return (mean(ndcg), mean(mrr)) if judged else (0.0, 0.0)


def _normalised(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values()) or 1.0
    return {name: round(w / total, 3) for name, w in weights.items()}


def _better(a: tuple[float, float], b: tuple[float, float], eps: float = 1e-9) -> bool:
    """Higher nDCG, or the same nDCG and a higher MRR."""
    return a[0] > b[0] + eps or (abs(a[0] - b[0]) <= eps and a[1] > b[1] + eps)


def tune_weights(
    engine: MatchEngine,
    judged: Sequence[JudgedDemand],
    *,
    today: date,
    steps: Sequence[float] = (0.08, 0.04, 0.02, 0.01),
    rounds: int = 8,
) -> tuple[dict[str, float], tuple[float, float]]:
    """Coordinate ascent from the engine's weights: move one weight up or down by a step
    (the others rescaled to sum to 1), keep the move when mean nDCG@10 improves (MRR breaks
    ties), halve the step when no move helps. Returns the weights and their (nDCG, MRR)."""
    weights = _normalised(engine.weights)
    best = mean_quality(engine.with_weights(weights), judged, today=today)
    for step in steps:
        for _round in range(rounds):
            moved = False
            for name in list(weights):
                for delta in (step, -step):
                    trial = dict(weights)
                    trial[name] = max(0.0, trial[name] + delta)
                    trial = _normalised(trial)
                    quality = mean_quality(engine.with_weights(trial), judged, today=today)
                    if _better(quality, best):
                        weights, best, moved = trial, quality, True
            if not moved:
                break
    return weights, best


@dataclass(frozen=True)
class FitRow:
    threshold: float
    precision: float  # of the matches at or above it, the share graded relevant
    recall: float  # of the relevant matches in the top 10, the share at or above it
    f1: float
    empty: int  # demands left with no match at or above it


def fit_table(
    engine: MatchEngine,
    judged: Sequence[JudgedDemand],
    *,
    today: date,
    thresholds: Sequence[float],
    k: int = 10,
) -> list[FitRow]:
    """How well "score ≥ threshold" separates the relevant matches (grade ≥ 2) of each
    demand's top ``k`` from the rest, for each threshold."""
    scored: list[tuple[float, bool]] = []
    best: list[float] = []
    for case in judged:
        ranked = engine.rank_candidates(
            case.prepared, case.candidates, today=today, limit=k, explain=False
        )
        scored += [(m.score, case.grades.get(m.external_id, 0) >= RELEVANT) for m in ranked]
        best.append(ranked[0].score if ranked else 0.0)
    relevant = sum(1 for _s, r in scored if r)
    rows = []
    for t in thresholds:
        shown = [r for s, r in scored if s >= t]
        hits = sum(shown)
        precision = hits / len(shown) if shown else 1.0
        recall = hits / relevant if relevant else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(FitRow(t, precision, recall, f1, sum(1 for b in best if b < t)))
    return rows
