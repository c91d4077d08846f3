"""``portal evaluate``: the matching evaluation on the project's labelled set (seed/eval).

The data set is imported with the portal's own importer into a throwaway database,
indexed into a throwaway embedded index, and every demand of the chosen part is ranked
with each strategy. Nothing touches the configured database or index.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from statistics import mean

from sqlmodel import Session, select

from matching.documents import DemandDoc
from matching.embedded import EmbeddedBackend
from matching.engine import STRATEGIES
from matching.evaluation import ndcg_at_k, precision_at_k, reciprocal_rank
from portal.bootstrap import migrate
from portal.db import make_engine
from portal.imports.service import import_lines
from portal.matching.service import demand_doc
from portal.matching.service import make_engine as make_match_engine
from portal.models import Demand, Organization, Solution
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


def load_judgments(directory: Path = EVAL_DIR) -> dict[str, dict[str, int]]:
    grades: dict[str, dict[str, int]] = {}
    for line in (directory / "judgments.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            grades.setdefault(row["demand"], {})[row["solution"]] = int(row["grade"])
    return grades


def evaluate(
    *,
    part: str = "test",
    directory: Path = EVAL_DIR,
    weights: dict[str, float] | None = None,
) -> EvaluationReport:
    split = json.loads((directory / "split.json").read_text(encoding="utf-8"))
    if part not in ("tuning", "test", "all"):
        raise ValueError(part)
    chosen = split["tuning"] + split["test"] if part == "all" else split[part]
    hard = set(split.get("hard", []))
    grades = load_judgments(directory)
    with tempfile.TemporaryDirectory(prefix="portal-eval-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'eval.sqlite3'}")
        migrate(engine)
        with Session(engine) as session:
            load_reference(session)
            report = import_lines(
                session, (directory / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
            )
            if not report.ok:
                raise RuntimeError("评测数据有误：" + "；".join(str(i) for i in report.issues[:5]))
            session.commit()
            gateway = SearchGateway(
                EmbeddedBackend(Path(tmp) / "index", prefix="eval"), get_pipeline()
            )
            gateway.ensure_indexes()
            reindex(session, gateway)
            matcher = make_match_engine(gateway, weights=weights)
            scores = {s: Scores() for s in STRATEGIES}
            hard_scores = {s: Scores() for s in STRATEGIES}
            violations: dict[str, int] = dict.fromkeys(STRATEGIES, 0)
            per_demand: dict[str, dict[str, float]] = {}
            for external_id in chosen:
                demand = session.exec(select(Demand).where(Demand.external_id == external_id)).one()
                org = session.get(Organization, demand.org_id)
                assert org is not None
                doc = demand_doc(gateway, demand, org)
                judged = grades.get(external_id, {})
                per_demand[external_id] = {}
                for strategy in STRATEGIES:
                    ranked = matcher.rank_solutions(
                        doc, today=EVAL_TODAY, limit=10, strategy=strategy
                    )
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
        engine.dispose()
    return EvaluationReport(
        part=part,
        demands=len(chosen),
        scores={s: scores[s].summary() for s in STRATEGIES},
        hard={s: hard_scores[s].summary() for s in STRATEGIES},
        hard_demands=len(hard & set(chosen)),
        gate_violations=violations,
        per_demand=per_demand,
    )


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
    return "\n".join(lines)
