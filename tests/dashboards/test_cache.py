from sqlmodel import Session

from portal.dashboards import cache
from tests.factories import make_network, make_solution


def test_a_write_invalidates_only_the_families_it_touched(session: Session) -> None:
    calls: list[str] = []

    def read(name: str, family: str) -> str:
        def compute() -> str:
            calls.append(name)
            return name

        return cache.memoized(session, ("t", name), compute, reads=(family,))

    read("serving", "solutions")
    read("networks", "networks")
    assert calls == ["serving", "networks"]
    read("serving", "solutions")
    read("networks", "networks")
    assert calls == ["serving", "networks"]  # memo hits

    make_network(session)  # stamps the networks family only
    read("serving", "solutions")
    read("networks", "networks")
    assert calls == ["serving", "networks", "networks"]

    make_solution(session, regions=["huaihua"])
    read("serving", "solutions")
    read("networks", "networks")
    assert calls == ["serving", "networks", "networks", "serving"]

    cache.bump(session)  # raw-SQL writers: everything is stale
    read("serving", "solutions")
    read("networks", "networks")
    assert calls[-2:] == ["serving", "networks"]
