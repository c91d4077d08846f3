import json

import pytest

from matching.evaluation import ndcg_at_k, precision_at_k, reciprocal_rank
from portal.matching.evaluation import EVAL_DIR, evaluate


def test_metrics() -> None:
    grades = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)
    assert ndcg_at_k(["c", "b", "a"], grades) < 1.0
    assert ndcg_at_k(["x"], {}) == 0.0
    assert reciprocal_rank(["x", "c", "b"], grades) == pytest.approx(
        1 / 3
    )  # grade 1 is not relevant
    assert precision_at_k(["a", "b", "x", "y", "z"], grades) == pytest.approx(0.4)


def test_the_labelled_set_is_well_formed() -> None:
    split = json.loads((EVAL_DIR / "split.json").read_text(encoding="utf-8"))
    demands = [
        json.loads(line)
        for line in (EVAL_DIR / "dataset.jsonl").read_text(encoding="utf-8").splitlines()
        if '"type": "demand"' in line or '"type":"demand"' in line
    ]
    ids = {d["external_id"] for d in demands}
    assert len(ids) >= 25
    assert sorted(split["tuning"] + split["test"]) == sorted(ids)
    assert not set(split["tuning"]) & set(split["test"])
    plain = [d for d in demands if not d.get("scenarios") and not d.get("capabilities")]
    assert len(plain) * 3 >= len(demands)


def test_full_beats_the_text_baseline_on_the_test_part() -> None:
    report = evaluate(part="test")
    full, text = report.scores["full"], report.scores["text"]
    assert full["ndcg@10"] >= 0.93 and full["mrr"] >= 0.95
    assert report.hard["full"]["ndcg@10"] - report.hard["text"]["ndcg@10"] >= 0.08
    assert report.gate_violations["full"] == 0
    assert full["ndcg@10"] > text["ndcg@10"]
