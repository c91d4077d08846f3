from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.clusters.service import cluster_counts
from portal.dashboards.service import cluster_table
from portal.deps import ClockDep, SessionDep
from portal.kit.i18n import _
from portal.kit.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/clusters", name="clusters")
def clusters_page(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    today = clock.today()
    clusters = cluster_counts(session, today=today)
    chart = {
        "type": "bar",
        "categories": [c.name for c in clusters],
        "series": [
            {"name": _("应用需求"), "data": [c.demands for c in clusters]},
            {"name": _("开放且无强匹配"), "data": [c.open_without_strong_match for c in clusters]},
            {"name": _("在用专网"), "data": [c.networks for c in clusters]},
            {"name": _("标杆案例"), "data": [c.cases for c in clusters]},
        ],
    }
    return render(
        request,
        "clusters/list.html",
        {"table": cluster_table(clusters, today), "chart": chart, "clusters": clusters},
    )
