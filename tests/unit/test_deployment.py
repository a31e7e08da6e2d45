"""The docker-compose deployment: every registered scenario has its code server and workspace
entry, every service a health check, credentials come from the environment only; and the compose
file validates with `docker compose config` where Docker Compose is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from workforce_platform.locations import registered_scenarios
from workforce_platform.paths import PROJECT_ROOT, SCENARIOS_DIR

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
DEPLOYMENT = ("postgres", "webserver", "daemon")


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_every_registered_scenario_has_a_code_server_and_a_workspace_entry():
    services = _compose()["services"]
    scenarios = set(registered_scenarios(SCENARIOS_DIR))
    code_servers = {name.removeprefix("code_"): spec for name, spec in services.items() if name.startswith("code_")}
    assert set(code_servers) == scenarios
    for scenario, spec in code_servers.items():
        command = spec["command"]
        assert command[command.index("-a") + 1] == scenario and command[command.index("--location-name") + 1] == scenario
        assert spec["environment"]["WORKFORCE_DB_DIR"] == "/app/data/runs"
        assert "WORKFORCE_DB_PATH" not in spec["environment"]  # one file per scenario
        assert "duckdb:/app/data/runs" in spec["volumes"]
    workspace = yaml.safe_load((PROJECT_ROOT / "deploy" / "workspace.yaml").read_text())["load_from"]
    entries = {entry["grpc_server"]["location_name"]: entry["grpc_server"] for entry in workspace}
    assert set(entries) == scenarios
    for scenario, entry in entries.items():
        assert (entry["host"], entry["port"]) == (f"code_{scenario}", 4000)


def test_every_deployment_service_has_a_health_check_and_the_servers_wait_for_postgres():
    services = _compose()["services"]
    for name, spec in services.items():
        if name in DEPLOYMENT or name.startswith("code_"):
            assert "healthcheck" in spec, name
    for name in ("webserver", "daemon"):
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert all(services[name]["depends_on"][f"code_{s}"]["condition"] == "service_healthy"
                   for s in registered_scenarios(SCENARIOS_DIR))
    # The embedded services start only when asked for by name.
    assert all(services[name]["profiles"] == ["embedded"] for name in ("simulate", "test", "ui"))


def test_credentials_come_from_the_environment_only():
    text = COMPOSE.read_text()
    for match in re.finditer(r"(POSTGRES_PASSWORD|DAGSTER_POSTGRES_PASSWORD):\s*(\S+)", text):
        assert match.group(2).startswith("${"), match.group(0)
    assert ".env" in (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    assert "DAGSTER_POSTGRES_PASSWORD=\n" in (PROJECT_ROOT / ".env.example").read_text()
    storage = yaml.safe_load((PROJECT_ROOT / "deploy" / "dagster.yaml").read_text())["storage"]["postgres"]["postgres_db"]
    assert storage["password"] == {"env": "DAGSTER_POSTGRES_PASSWORD"}
    assert all(isinstance(value, dict) and "env" in value for key, value in storage.items() if key != "scheme")


def test_the_deployment_profile_limits_runs_to_one_per_scenario():
    concurrency = yaml.safe_load((PROJECT_ROOT / "deploy" / "dagster.yaml").read_text())["concurrency"]["runs"]
    assert concurrency["tag_concurrency_limits"] == [
        {"key": "dagster/code_location", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]
    local = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())["concurrency"]["runs"]
    assert local["tag_concurrency_limits"] == concurrency["tag_concurrency_limits"]


def _docker_compose() -> list[str] | None:
    if shutil.which("docker"):
        if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_validates_the_file():
    command = _docker_compose()
    if command is None:
        pytest.skip("Docker Compose is not installed here; the file's structure is checked by the tests above")
    env = {**os.environ, "DAGSTER_POSTGRES_PASSWORD": "only-for-validation"}
    done = subprocess.run([*command, "-f", str(COMPOSE), "config", "--quiet"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    # Without a password the file refuses, naming the variable.
    env.pop("DAGSTER_POSTGRES_PASSWORD")
    refused = subprocess.run([*command, "-f", str(COMPOSE), "config", "--quiet"], capture_output=True, text=True,
                             env={**env, "COMPOSE_DISABLE_ENV_FILE": "1"}, cwd="/")
    assert refused.returncode != 0 and "DAGSTER_POSTGRES_PASSWORD" in refused.stderr
