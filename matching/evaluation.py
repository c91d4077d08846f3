"""Ranking metrics for the matching evaluation (graded relevance 0–3)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

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
