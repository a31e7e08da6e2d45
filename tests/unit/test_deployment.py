"""The docker-compose deployment: every registered scenario has its code server and workspace
entry, every service a health check, credentials come from the environment only; the UI is
published on loopback only, other machines reach it through the `shared` profile's proxy (HTTPS,
a password); and the compose file validates with `docker compose config`, the proxy's
configuration with nginx, where they are installed."""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from base64 import b64encode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from workforce_platform.defs.locations import registered_scenarios
from workforce_platform.paths import PROJECT_ROOT, SCENARIOS_DIR

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx" / "nginx.conf"
PROXY, PROXY_PROFILE = "proxy", "shared"
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


# The UI behind a login: only the proxy is published beyond this host.

def _published_ports(spec: dict) -> list[tuple[str | None, str]]:
    """(host IP or None for every interface, host port) of each entry of a service's `ports`, in the
    short syntax ([IP:]HOST:CONTAINER[/PROTOCOL], or a bare container port) or the long one."""
    published = []
    for entry in spec.get("ports", []):
        if isinstance(entry, dict):
            published.append((entry.get("host_ip"), str(entry.get("published", ""))))
            continue
        parts = str(entry).split("/")[0].rsplit(":", 2)
        host_ip = parts[0] if len(parts) == 3 else None
        host_port = parts[-2] if len(parts) >= 2 else ""  # a bare container port: a random host port
        published.append((host_ip.strip("[]") if host_ip else None, host_port))
    return published


def _is_loopback(host_ip: str | None) -> bool:
    try:
        return host_ip is not None and ipaddress.ip_address(host_ip).is_loopback
    except ValueError:
        return False


def test_only_the_shared_profiles_proxy_publishes_a_port_beyond_loopback():
    services = _compose()["services"]
    for name, spec in services.items():
        if name == PROXY:
            continue
        assert spec.get("network_mode") != "host", name
        for host_ip, host_port in _published_ports(spec):
            assert _is_loopback(host_ip), f"service {name} publishes port {host_port} on every interface"
    # The servers inside still listen on every interface of their container, as a mapping needs.
    assert ("127.0.0.1", "3000") in _published_ports(services["webserver"])
    assert ("127.0.0.1", "3000") in _published_ports(services["ui"])


def test_the_proxy_exists_only_in_its_profile_and_publishes_https():
    proxy = _compose()["services"][PROXY]
    assert proxy["profiles"] == [PROXY_PROFILE]
    assert (None, "443") in _published_ports(proxy)
    assert any(str(p).split(":")[-1] == "443" for p in proxy["ports"])
    assert proxy["depends_on"]["webserver"]["condition"] == "service_healthy"
    # The configuration, the password file and the certificate are mounted where the configuration
    # looks for them, read-only; a missing one is reported, not replaced by an empty directory.
    mounts = {volume["target"]: volume for volume in proxy["volumes"]}
    assert all(m["type"] == "bind" and m["read_only"] is True and m["bind"]["create_host_path"] is False
               for m in mounts.values())
    assert (PROJECT_ROOT / mounts["/etc/nginx/nginx.conf"]["source"]).resolve() == NGINX_CONF
    conf = _nginx_tree(NGINX_CONF.read_text())
    files = [args[0] for name, args, _ in _walk(conf)
             if name in ("ssl_certificate", "ssl_certificate_key", "auth_basic_user_file")]
    assert len(files) == 3
    for path in files:
        assert any(path == target or path.startswith(target + "/") for target in mounts), path
    # The operator's password file and certificate stay out of git.
    ignored = (PROJECT_ROOT / ".gitignore").read_text().splitlines()
    for target, pattern in (("/etc/nginx/htpasswd", "/deploy/nginx/htpasswd"), ("/etc/nginx/tls", "/deploy/tls/")):
        assert mounts[target]["source"] == "." + pattern.rstrip("/") and pattern in ignored


# A small reader of nginx's configuration syntax: directives `name args;` and blocks `name args { ... }`.
_NGINX_TOKEN = re.compile(r"""\s*(?:#[^\n]*|"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|([{};])|([^\s{};"'#]+))""")


def _nginx_tree(text: str) -> list:
    """[(name, args, children or None)], children in the same form."""
    stack: list[list] = [[]]
    words: list[str] = []
    position = 0
    while text[position:].strip():
        match = _NGINX_TOKEN.match(text, position)
        assert match and match.end() > position, f"cannot read {NGINX_CONF} at: {text[position:position + 40]!r}"
        position = match.end()
        double, single, punctuation, word = match.groups()
        if punctuation == "{":
            block: list = []
            stack[-1].append((words[0], words[1:], block))
            stack.append(block)
            words = []
        elif punctuation == ";":
            stack[-1].append((words[0], words[1:], None))
            words = []
        elif punctuation == "}":
            assert not words, words
            stack.pop()
        elif word is not None or double is not None or single is not None:
            words.append(next(w for w in (word, double, single) if w is not None))
    assert len(stack) == 1 and not words, "unbalanced braces"
    return stack[0]


def _walk(tree: list):
    for name, args, children in tree:
        yield name, args, children
        if children is not None:
            yield from _walk(children)


def _directive(block: list, name: str) -> list[list[str]]:
    return [args for n, args, children in block if n == name and children is None]


def _locations(block: list, inherited_auth: list[str] | None):
    """Each location with the auth_basic in force there (its own, else its enclosing block's)."""
    for name, args, children in block:
        if name == "location":
            own = _directive(children, "auth_basic")
            auth = own[-1] if own else inherited_auth
            yield args, children, auth
            yield from _locations(children, auth)


def _servers() -> list:
    http = next(children for name, _, children in _nginx_tree(NGINX_CONF.read_text()) if name == "http")
    return [children for name, _, children in http if name == "server"]


def test_the_proxy_asks_for_the_password_on_every_location_and_passes_it_to_the_webserver():
    servers = _servers()
    https = [s for s in servers if any("ssl" in args for args in _directive(s, "listen"))]
    plain = [s for s in servers if s not in https]
    assert https and plain
    for server in https:
        assert _directive(server, "auth_basic_user_file") == [["/etc/nginx/htpasswd"]]
        assert _directive(server, "ssl_certificate") and _directive(server, "ssl_certificate_key")
        variables = {args[0]: args[1] for args in _directive(server, "set")}
        covers_graphql = False
        for args, location, auth in _locations(server, (_directive(server, "auth_basic") or [None])[-1]):
            assert auth is not None and auth[0] != "off", f"location {args} does not ask for the password"
            targets = [variables.get(a[0], a[0]) for a in _directive(location, "proxy_pass")]
            assert targets == ["http://webserver:3000"], (args, targets)
            headers = {a[0].lower(): a[1] for a in _directive(location, "proxy_set_header")}
            # Websockets (the UI's GraphQL subscriptions) need HTTP/1.1 and the upgrade passed on.
            assert _directive(location, "proxy_http_version") == [["1.1"]]
            assert headers["upgrade"] == "$http_upgrade" and headers["connection"] == "$connection_upgrade"
            assert headers["authorization"] == ""
            covers_graphql |= args[-1] != "=" and "/graphql".startswith(args[-1])
        assert covers_graphql
    # Plain HTTP redirects to HTTPS and nothing else, so no browser sends the password unencrypted.
    for server in plain:
        assert not any(name in ("proxy_pass", "auth_basic") for name, _, _ in _walk(server))
        returns = [args for name, args, _ in _walk(server) if name == "return"]
        assert returns == [["301", "https://$host$request_uri"]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def proxy_files(tmp_path: Path) -> dict:
    """A self-signed certificate and a password file made with the README's commands."""
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed here (Debian: apt-get install nginx); its configuration's structure "
                    "is checked by the tests above")
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed here: it makes the test certificate and password file")
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-days", "1", "-nodes",
                    "-subj", "/CN=localhost", "-keyout", str(tls / "tls.key"), "-out", str(tls / "tls.crt")],
                   check=True, capture_output=True)
    hashed = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input="right-password\n", text=True,
                            check=True, capture_output=True).stdout.strip()
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"alice:{hashed}\n")
    return {"tls": tls, "htpasswd": htpasswd}


def _local_config(proxy_files: dict, **replacements: str) -> str:
    """The shipped configuration with the container's file paths replaced by the test's."""
    text = NGINX_CONF.read_text()
    for old, new in {"/etc/nginx/tls/": f"{proxy_files['tls']}/", "/etc/nginx/htpasswd": str(proxy_files["htpasswd"]),
                     **replacements}.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_the_proxy_configuration_passes_nginx_own_check(proxy_files, tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(_local_config(proxy_files))
    checked = subprocess.run(["nginx", "-t", "-q", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


class _EchoHeaders(BaseHTTPRequestHandler):
    """The webserver's stand-in: answers every request with the request's headers."""

    def do_GET(self) -> None:
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_through_the_proxy_only_a_user_with_the_password_reaches_the_webserver(proxy_files, tmp_path):
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHeaders)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    http_port, https_port = _free_port(), _free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(_local_config(proxy_files, **{
        "listen 80;": f"listen 127.0.0.1:{http_port};", "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "http://webserver:3000": f"http://127.0.0.1:{upstream.server_address[1]}"}))
    log = (tmp_path / "nginx.log").open("w")
    nginx = subprocess.Popen(["nginx", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf),
                              "-g", f"daemon off; master_process off; pid {tmp_path / 'nginx.pid'};"],
                             stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert nginx.poll() is None and time.monotonic() < deadline, (tmp_path / "nginx.log").read_text()
                time.sleep(0.05)
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # the test's self-signed certificate

        def get(path: str, headers: dict, plain: bool = False) -> tuple[int, dict, bytes]:
            connection = (http.client.HTTPConnection("127.0.0.1", http_port, timeout=10) if plain else
                          http.client.HTTPSConnection("127.0.0.1", https_port, timeout=10, context=insecure))
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            finally:
                connection.close()

        def basic(user: str, password: str) -> dict:
            return {"Authorization": "Basic " + b64encode(f"{user}:{password}".encode()).decode()}

        status, headers, _ = get("/runs", {}, plain=True)
        assert status == 301 and headers["location"].endswith("/runs") and headers["location"].startswith("https://")
        assert get("/", {})[0] == 401
        assert get("/graphql", basic("alice", "wrong-password"))[0] == 401
        assert get("/", basic("mallory", "right-password"))[0] == 401
        status, headers, body = get("/server_info", basic("alice", "right-password"))
        assert status == 200 and "strict-transport-security" in headers
        seen = json.loads(body)
        assert "authorization" not in seen and seen["x-forwarded-proto"] == "https"
        status, _, body = get("/graphql", {**basic("alice", "right-password"), "Upgrade": "websocket",
                                           "Connection": "Upgrade"})
        seen = json.loads(body)
        assert status == 200 and seen["upgrade"] == "websocket" and seen["connection"].lower() == "upgrade"
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
        log.close()
        upstream.shutdown()
        upstream.server_close()
