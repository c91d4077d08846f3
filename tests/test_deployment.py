"""compose.yaml cannot be started on these machines (no Docker engine): check its shape."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_stack_is_complete_and_pinned() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) >= {"app", "db", "search"}
    for name, service in services.items():
        assert "healthcheck" in service, name
        image = service.get("image", "")
        if name not in ("app", "worker"):  # the worker runs the app's image
            assert re.search(r":v?\d+\.\d+", image), f"{name} image must be pinned: {image}"
    app_env = services["app"]["environment"]
    for variable in ("PORTAL_DATABASE_URL", "PORTAL_SECRET_KEY", "MEILI_API_KEY"):
        assert ":?" in app_env[variable], variable
    assert app_env["PORTAL_ENV"] == "production"
    assert "--workers" in services["app"]["command"]


def test_the_database_accepts_every_connection_the_stack_may_open() -> None:
    from portal import db, dbloop

    services = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))["services"]
    app_command = services["app"]["command"]
    workers = int(app_command[app_command.index("--workers") + 1])
    per_process = db.POOL_SIZE + db.POOL_OVERFLOW
    per_worker = per_process + dbloop.LOOP_POOL_SIZE
    db_command = services["db"]["command"]
    allowed = int(db_command[db_command.index("-c") + 1].removeprefix("max_connections="))
    assert workers * per_worker + per_process <= allowed  # the app's workers, the worker


def test_compose_runs_the_meilisearch_the_adapter_was_checked_against() -> None:
    from matching.meili import MEILISEARCH_VERSION

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert compose["services"]["search"]["image"] == f"getmeili/meilisearch:{MEILISEARCH_VERSION}"


def test_dockerfile_copies_what_exists() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for source in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, flags=re.M):
        assert (ROOT / source).exists(), source


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]
