"""The mixed load of ``bench/mixed.py`` (Locust, headless): 90 % reads, 10 % writes.

Visitors search and read; the demo enterprise reads its demand's matches and writes demands
and introductions; the demo vendor writes solutions; the official reads the dashboard. The
accounts' sessions and API tokens come from the JSON file named by ``BENCH_CREDENTIALS``
(made by the bench in the database, as a sign-in and ``portal token create`` would).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from typing import Any

from locust import HttpUser, between, task

CREDENTIALS: dict[str, Any] = json.loads(open(os.environ["BENCH_CREDENTIALS"]).read())  # noqa: SIM115
QUERIES = ["陶瓷", "窑炉", "机器视觉", "巡检", "预测性维护", "注塑", "矿山", "港口"]
_counter = itertools.count(1)
_pairs = iter(CREDENTIALS["pairs"])  # (demand, solution) pairs with no introduction yet
_pairs_lock = threading.Lock()


def _bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {CREDENTIALS['tokens'][role]}"}


def _cookie(role: str) -> dict[str, str]:
    return {"Cookie": CREDENTIALS["cookies"][role]}


class PortalUser(HttpUser):
    wait_time = between(0.0, 0.05)

    # --- reads: 90 ----------------------------------------------------------------------

    @task(15)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(18)
    def search_solutions(self) -> None:
        self.client.get(f"/solutions?q={random.choice(QUERIES)}", name="/solutions?q=")

    @task(12)
    def demands(self) -> None:
        self.client.get("/demands", name="/demands")

    @task(10)
    def progress(self) -> None:
        self.client.get("/progress", name="/progress")

    @task(10)
    def solution_page(self) -> None:
        solution = random.choice(CREDENTIALS["solutions"])
        self.client.get(f"/solutions/{solution}", name="/solutions/{id}")

    @task(8)
    def search_api(self) -> None:
        q = random.choice(QUERIES)
        self.client.get(f"/api/v1/search?type=demand&q={q}", name="/api/v1/search")

    @task(8)
    def owner_demand_page(self) -> None:
        demand = random.choice(CREDENTIALS["own_demands"])
        self.client.get(
            f"/demands/{demand}", name="/demands/{id} (owner)", headers=_cookie("enterprise")
        )

    @task(5)
    def matches_api(self) -> None:
        demand = random.choice(CREDENTIALS["own_demands"])
        self.client.get(
            f"/api/v1/demands/{demand}/matches",
            name="/api/v1/demands/{id}/matches",
            headers=_bearer("enterprise"),
        )

    @task(4)
    def dashboard(self) -> None:
        self.client.get("/dashboard", name="/dashboard (official)", headers=_cookie("official"))

    # --- writes: 10 ---------------------------------------------------------------------

    @task(4)
    def create_demand(self) -> None:
        n = next(_counter)
        body = {
            "title": f"压测需求{n}：陶瓷窑炉5G巡检",
            "description": "以5G回传窑炉视频，边缘侧识别异常，减少人工巡检。",
            "industry": "ceramics",
            "city": "zhuzhou",
            "status": "pending",
        }
        self.client.post(
            "/api/v1/demands", json=body, name="/api/v1/demands", headers=_bearer("enterprise")
        )

    @task(4)
    def create_solution(self) -> None:
        n = next(_counter)
        body = {
            "title": f"压测方案{n}：5G+机器视觉缺陷检测",
            "summary": "釉面缺陷识别",
            "industries": ["ceramics"],
            "capabilities": ["embb", "mec"],
            "regions": ["hunan"],
            "status": "pending",
        }
        self.client.post(
            "/api/v1/solutions", json=body, name="/api/v1/solutions", headers=_bearer("vendor")
        )

    @task(2)
    def introduction(self) -> None:
        with _pairs_lock:
            pair = next(_pairs, None)
        if pair is None:  # every pair asked: write a demand instead
            self.create_demand()
            return
        demand, solution = pair
        body = {
            "demand_id": demand,
            "solution_id": solution,
            "message": "我们想了解贵方案在窑炉巡检上的落地案例，方便时电话沟通。",
        }
        self.client.post(
            "/api/v1/introductions",
            json=body,
            name="/api/v1/introductions",
            headers=_bearer("enterprise"),
        )
