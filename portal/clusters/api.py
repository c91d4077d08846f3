from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from portal.clusters.schemas import ClusterPublic, ClustersPublic
from portal.clusters.service import PROXY_NOTE, cluster_counts
from portal.deps import ClockDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["clusters"])


@router.get("/clusters", response_model=ClustersPublic, summary="Featured industrial clusters")
def clusters(session: SessionDep, clock: ClockDep) -> ClustersPublic:
    today = clock.today()
    return ClustersPublic(
        as_of=today.isoformat(),
        note=PROXY_NOTE,
        clusters=[
            ClusterPublic.model_validate(asdict(c)) for c in cluster_counts(session, today=today)
        ],
    )
