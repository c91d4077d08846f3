"""The matching engine: explainable, reciprocal ranking of solutions for a demand and of
demands for a solution.

A ranking retrieves candidates from the search backend with the hard gates as filters
(published, not expired, every must-have capability offered, the demand's city served),
scores each feature of each candidate in 0..1, combines the demand's view of the solution
with the vendor's view of the demand by harmonic mean, and explains every match in Chinese:
a one-line verdict, every reason and every gap. A match scoring under the minimum fit is
"low": shown apart, never as a recommendation.
The ``text`` strategy ranks the same gated candidates by text relevance alone: it is the
baseline every change is measured against.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from matching import features as f
from matching.documents import DemandDoc, SolutionDoc, demand_from_index, solution_from_index
from matching.explain import Fit, verdict
from matching.inference import Lexicon, infer
from matching.messages import N_
from matching.search import (
    AnyOf,
    Eq,
    Filter,
    Not,
    Range,
    SearchBackend,
    SearchRequest,
    all_of,
)
from matching.text import TextPipeline

Strategy = Literal["full", "text"]
STRATEGIES: tuple[Strategy, ...] = ("full", "text")

# The demand's view: weights of the features, summing to 1. Chosen on the tuning part of
# seed/eval only: the grid search of issue 7, then (issue 13) a grid over the two weights
# that keep generic platforms below specific fits, specificity and text_solution (the share
# of what the solution is about that the demand mentions), the others rescaled; a grid
# generalised better than free coordinate ascent in 3-fold cross-validation within the
# tuning part. The portal's settings (PORTAL_MATCH_WEIGHTS) override them. See README,
# "Matching weights".
DEFAULT_WEIGHTS: dict[str, float] = {
    "text_demand": 0.151,
    "text_solution": 0.25,
    "scenario": 0.177,
    "capability": 0.096,
    "industry": 0.109,
    "region": 0.034,
    "budget": 0.048,
    "track_record": 0.02,
    "freshness": 0.007,
    "verification": 0.028,
    "specificity": 0.08,
}
VENDOR_FIT_SHARE = 0.5  # the vendor's view: half preferences, half what it can serve
# The minimum fit: a match scoring under it is "low", not recommended; pages show the
# nearest few apart. Chosen on the tuning part of seed/eval as the threshold with the best
# F1 for "score ≥ t" against the relevant matches (grade ≥ 2) of each top 10: precision
# 0.84, recall 0.62. The 6 of 17 demands it leaves with no recommendation are written in
# plain words the engine infers little from; their best answer still leads the nearest.
MIN_FIT = 0.76
# A listing unchanged and unconfirmed this long (a listing marked stale counts as such)
# ranks lower by this factor, and its match says why.
STALE_DAYS = 730
STALE_FACTOR = 0.8
STALE_NOTE = {
    "solution": N_("方案信息可能已过时：长期未更新，发布方也未确认仍然有效"),
    "demand": N_("需求信息可能已过时：长期未更新，发布方也未确认仍然有效"),
}
TEXT_VERDICT = N_("仅按文字相关度排序，未核对场景、能力、行业与预算")


@dataclass
class Match:
    """One ranked candidate: its score, each feature's contribution and the reasons."""

    id: str
    external_id: str
    title: str
    score: float
    features: dict[str, float]
    explanation: list[str] = field(default_factory=list)
    verdict: str = ""  # one line leading the match: the fit tier and what decides it
    gaps: list[str] = field(default_factory=list)  # the explanation's lines on what is missing
    fit: Fit | None = None  # None under the text baseline, which judges no fit


@dataclass(frozen=True)
class PreparedDemand:
    doc: DemandDoc
    words: tuple[str, ...]  # query words, generic words dropped
    weights: Mapping[str, float]  # word → weight for text coverage
    terms: frozenset[str]  # every word of the text (search mode)
    scenarios: tuple[str, ...]
    capabilities: tuple[str, ...]
    inferred_scenarios: bool
    inferred_capabilities: bool


class MatchEngine:
    """Ranks through a :class:`matching.search.SearchBackend` holding solution and demand
    documents (see ``portal.search.documents`` for the fields they carry)."""

    def __init__(
        self,
        backend: SearchBackend,
        pipeline: TextPipeline,
        *,
        lexicon: Lexicon,
        labels: f.Labels,
        adjacent: Mapping[str, frozenset[str]],
        weights: Mapping[str, float] | None = None,
        min_fit: float = MIN_FIT,
        solutions_index: str = "solutions",
        demands_index: str = "demands",
        candidates: int = 80,
        query_words: int = 12,
    ) -> None:
        self.backend = backend
        self.pipeline = pipeline
        self.lexicon = lexicon
        self.labels = labels
        self.adjacent = adjacent
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.min_fit = min_fit
        self.solutions_index = solutions_index
        self.demands_index = demands_index
        self.candidates = candidates
        self.query_words = query_words
        self._weight_cache: dict[str, float] = {}

    def with_weights(self, weights: Mapping[str, float]) -> MatchEngine:
        """The same engine with other feature weights (for tuning)."""
        other = copy.copy(self)
        other.weights = dict(weights)
        return other

    # --- words ----------------------------------------------------------------------

    def _word_weight(self, word: str) -> float:
        cached = self._weight_cache.get(word)
        if cached is not None:
            return cached
        # Single characters and numbers say little about what is asked.
        if self.lexicon.is_generic(word) or len(word) == 1 or word.isdigit():
            weight = 0.0
        else:
            weight = 1.0 + (1.0 if self.pipeline.is_domain_word(word) else 0.0)
            weight += 0.5 if len(word) >= 3 else 0.0
        if len(self._weight_cache) < 200_000:
            self._weight_cache[word] = weight
        return weight

    def _weights(self, words: Iterable[str]) -> dict[str, float]:
        out = {}
        for word in words:
            weight = self._word_weight(word)
            if weight > 0:
                out[word] = weight
        return out

    def _query_words(self, weights: Mapping[str, float]) -> list[str]:
        """The most telling words for retrieval; scoring still reads every word."""
        return sorted(weights, key=lambda w: -weights[w])[: self.query_words]

    def prepare(self, demand: DemandDoc) -> PreparedDemand:
        """The demand's words, and what it needs, inferred from its text when left empty."""
        text = f"{demand.title} {demand.text}"
        terms = demand.terms or tuple(self.pipeline.document_tokens(text))
        weights = self._weights(self.pipeline.query_tokens(text))
        scenarios, capabilities = demand.scenarios, demand.capabilities
        inferred_s = inferred_c = False
        if not scenarios or not capabilities:
            guessed_s, guessed_c = infer(self.lexicon, text, terms)
            if not scenarios and guessed_s:
                scenarios, inferred_s = guessed_s, True
            if not capabilities and guessed_c:
                capabilities, inferred_c = guessed_c, True
        capabilities = tuple(dict.fromkeys([*capabilities, *demand.must_have]))
        return PreparedDemand(
            doc=demand,
            words=tuple(weights),
            weights=weights,
            terms=frozenset(terms),
            scenarios=scenarios,
            capabilities=capabilities,
            inferred_scenarios=inferred_s,
            inferred_capabilities=inferred_c,
        )

    def inferred(self, demand: DemandDoc) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(scenarios, capabilities) the engine inferred from the demand's text and ranks
        with, leaving out what its author wrote."""
        prepared = self.prepare(demand)
        written = {*demand.capabilities, *demand.must_have}
        scenarios = prepared.scenarios if prepared.inferred_scenarios else ()
        capabilities = (
            tuple(c for c in prepared.capabilities if c not in written)
            if prepared.inferred_capabilities
            else ()
        )
        return scenarios, capabilities

    def _label_words(self, vocabulary: str, codes: Iterable[str]) -> list[str]:
        words: list[str] = []
        for code in codes:
            words += self.pipeline.query_tokens(self.labels(vocabulary, code))
        return words

    # --- gates ----------------------------------------------------------------------

    @staticmethod
    def solution_gates(demand: DemandDoc, today: date, *, fit: bool = True) -> Filter:
        """Filters on solutions for ``demand``: visible (published, not expired) and, with
        ``fit``, the hard gates (the demand's city served, every must-have offered)."""
        return all_of(
            Eq("status", "published"),
            Not(Range("expires_day", lt=today.toordinal())),
            AnyOf("regions", (demand.city, "hunan", "national")) if fit else None,
            *(Eq("capabilities", c) for c in (demand.must_have if fit else ())),
        ) or Eq("status", "published")

    @staticmethod
    def demand_gates(
        solution: SolutionDoc, today: date, all_capabilities: Iterable[str], *, fit: bool = True
    ) -> Filter:
        """Filters on demands for ``solution``: visible (published, before the deadline) and,
        with ``fit``, the hard gates (a city it serves, no must-have it lacks)."""
        lacking = tuple(c for c in all_capabilities if c not in solution.capabilities)
        cities = tuple(r for r in solution.regions if r not in ("hunan", "national"))
        serves_everywhere = bool({"hunan", "national"} & set(solution.regions))
        return all_of(
            Eq("status", "published"),
            Not(Range("deadline_day", lt=today.toordinal())),
            None if serves_everywhere or not fit else AnyOf("city", cities),
            Not(AnyOf("must_have", lacking)) if lacking and fit else None,
        ) or Eq("status", "published")

    @staticmethod
    def passes_gates(demand: DemandDoc, solution: SolutionDoc) -> bool:
        """The gates checked in Python (brute force, and a guard on every result)."""
        serves = bool({demand.city, "hunan", "national"} & set(solution.regions))
        return serves and all(c in solution.capabilities for c in demand.must_have)

    # --- scoring --------------------------------------------------------------------

    def score(
        self,
        prepared: PreparedDemand,
        solution: SolutionDoc,
        today: date,
        *,
        strategy: Strategy = "full",
        text_score: float | None = None,
        explain: bool = True,
        ranked: Literal["solution", "demand"] = "solution",
    ) -> Match:
        """Score one pair from the demand's and the vendor's side; explain it in Chinese.
        ``ranked`` is the side being ranked: if it is out of date (unchanged and unconfirmed
        for ``STALE_DAYS``, as a listing marked stale counts) the pair scores lower."""
        demand, labels, w = prepared.doc, self.labels, self.weights
        text_d = f.text_demand_to_solution(prepared.weights, solution)
        if strategy == "text":
            value = text_d.value if text_score is None else text_score
            return Match(
                id=solution.id,
                external_id=solution.external_id,
                title=solution.title,
                score=round(value, 4),
                features={"text": round(value, 4)},
                explanation=[text_d.note] if explain and text_d.note else [],
                verdict=TEXT_VERDICT if explain else "",
            )
        key = self._weights(solution.key_terms)
        parts: dict[str, f.Feature] = {
            "text_demand": text_d,
            "text_solution": f.text_solution_to_demand(key, prepared.terms),
            "scenario": f.scenario_overlap(
                prepared.scenarios, solution.scenarios, labels, inferred=prepared.inferred_scenarios
            ),
            "capability": f.capability_coverage(
                prepared.capabilities,
                solution.capabilities,
                labels,
                inferred=prepared.inferred_capabilities,
            ),
            "industry": f.industry_fit(demand.industry, solution.industries, self.adjacent, labels),
            "region": f.region_fit(demand.city, solution.regions, labels),
            "budget": f.budget_fit(
                demand.budget_min, demand.budget_max, solution.price_min, solution.price_max
            ),
            "track_record": f.track_record(
                demand.industry, solution.track_record, self.adjacent, labels
            ),
            "freshness": f.freshness(solution.updated, today),
            "verification": f.verification(solution.verified),
            "specificity": f.specificity(solution.scenarios, solution.industries),
        }
        # A weight missing from an override (PORTAL_MATCH_WEIGHTS) leaves its feature out.
        demand_view = sum(w.get(name, 0.0) * part.value for name, part in parts.items())
        preference, pref_notes, pref_misses = f.vendor_preference(
            demand, solution.preferences, self.adjacent, labels
        )
        can_serve = (parts["scenario"].value + parts["capability"].value) / 2
        vendor_view = VENDOR_FIT_SHARE * preference + (1 - VENDOR_FIT_SHARE) * can_serve
        contributions = {
            name: round(w.get(name, 0.0) * part.value, 4) for name, part in parts.items()
        }
        contributions["vendor_view"] = round(vendor_view, 4)
        score = f.harmonic(demand_view, vendor_view)
        listed = solution.updated if ranked == "solution" else demand.updated
        aged = listed is not None and (today - listed).days >= STALE_DAYS
        if aged:
            score *= STALE_FACTOR
        score = round(score, 4)
        fit: Fit = "high" if score >= self.min_fit else "low"
        match = Match(
            solution.id, solution.external_id, solution.title, score, contributions, fit=fit
        )
        if not explain:
            return match
        notes = [p.note for p in parts.values() if p.note]
        missing = [p.missing for p in parts.values() if p.missing]
        if aged:
            missing.append(STALE_NOTE[ranked])
        return replace(
            match,
            explanation=notes + missing + pref_notes + pref_misses,
            verdict=verdict(
                parts,
                fit=fit,
                scenarios_wanted=len(prepared.scenarios),
                capabilities_wanted=len(prepared.capabilities),
                vendor_misses=bool(pref_misses),
            ),
            gaps=missing + pref_misses,
        )

    # --- rankings -------------------------------------------------------------------

    def rank_solutions(
        self,
        demand: DemandDoc,
        *,
        today: date,
        limit: int = 10,
        strategy: Strategy = "full",
    ) -> list[Match]:
        """The best solutions for ``demand``, each with its score and reasons.

        ``full`` gates, scores every feature of both sides and combines them; ``text`` ranks
        the visible solutions by text relevance alone (no gates, no features): the baseline.
        """
        if strategy == "full":
            prepared, candidates = self.solution_candidates(demand, today=today)
            return self.rank_candidates(prepared, candidates, today=today, limit=limit)
        prepared = self.prepare(demand)
        response = self.backend.search(
            self.solutions_index,
            SearchRequest(
                # The text baseline queries with every word of the demand.
                words=prepared.words,
                filter=self.solution_gates(demand, today, fit=False),
                limit=limit,
                count=False,
            ),
        )
        return [
            self.score(
                prepared,
                solution_from_index(hit.document),
                today,
                strategy="text",
                text_score=hit.score,
            )
            for hit in response.hits
        ]

    def solution_candidates(
        self, demand: DemandDoc, *, today: date
    ) -> tuple[PreparedDemand, list[SolutionDoc]]:
        """The demand prepared, and the solutions the ``full`` strategy retrieves for it:
        through the hard gates, by its most telling words (scoring reads them all)."""
        prepared = self.prepare(demand)
        words = self._query_words(prepared.weights)
        words += self._label_words("scenario", prepared.scenarios)
        words += self._label_words("industry", (demand.industry,))
        response = self.backend.search(
            self.solutions_index,
            SearchRequest(
                words=tuple(dict.fromkeys(words)),
                filter=self.solution_gates(demand, today),
                limit=self.candidates,
                count=False,
            ),
        )
        candidates = [solution_from_index(hit.document) for hit in response.hits]
        return prepared, [s for s in candidates if self.passes_gates(demand, s)]

    def rank_candidates(
        self,
        prepared: PreparedDemand,
        candidates: Sequence[SolutionDoc],
        *,
        today: date,
        limit: int = 10,
        explain: bool = True,
    ) -> list[Match]:
        """``candidates`` ranked by the ``full`` score; the first ``limit`` explained."""
        scored = sorted(
            (self.score(prepared, s, today, explain=False) for s in candidates),
            key=lambda m: (-m.score, _order(m.id)),
        )[:limit]
        if not explain:
            return scored
        by_id = {s.id: s for s in candidates}
        return [self.score(prepared, by_id[m.id], today) for m in scored]

    def rank_demands(
        self,
        solution: SolutionDoc,
        *,
        today: date,
        all_capabilities: Iterable[str],
        limit: int = 10,
        strategy: Strategy = "full",
    ) -> list[Match]:
        """The demands ``solution`` can best serve (the vendor's opportunities)."""
        full = strategy == "full"
        words = self._query_words(
            self._weights(self.pipeline.query_tokens(f"{solution.title} {solution.summary}"))
        )
        if full:
            words += self._label_words("scenario", solution.scenarios)
            words += self._label_words("industry", solution.industries)
        response = self.backend.search(
            self.demands_index,
            SearchRequest(
                words=tuple(dict.fromkeys(words)),
                filter=self.demand_gates(solution, today, all_capabilities, fit=full),
                limit=self.candidates if full else limit,
                count=False,
            ),
        )
        results: list[Match] = []
        for hit in response.hits:
            demand = demand_from_index(hit.document)
            if full and not self.passes_gates(demand, solution):
                continue
            pair = self.score(
                self.prepare(demand),
                solution,
                today,
                strategy=strategy,
                text_score=hit.score,
                ranked="demand",
            )
            results.append(
                replace(pair, id=demand.id, external_id=demand.external_id, title=demand.title)
            )
        results.sort(key=lambda m: (-m.score, _order(m.id)))
        return results[:limit]


def _order(doc_id: str) -> tuple[int, str]:
    """A stable tie-break: numeric ids in numeric order."""
    return (int(doc_id), "") if doc_id.isdigit() else (0, doc_id)
