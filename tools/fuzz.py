"""The fuzz campaign: schemathesis with every check and every phase (examples, coverage,
fuzzing, stateful through the document's links) against a live `kanri serve`.

    make fuzz                      # SQLite, 25 examples per operation
    python -m tools.fuzz --max-examples 5 --database-url postgresql+asyncpg://…

The campaign starts a server on a free loopback port with a data directory of its own,
bootstraps an organization, creates a project, its keys and one resource of every kind
(named as the document's examples name them, so that the examples are accepted), and runs
`st run` twice: the project's operations with a full-access project key and a valid
`Kanri-Environment`, then the organization's (`/v1/projects*`) with the admin key. The
suite runs the same campaign with a bounded example count (`tests/test_contract.py`).

What schemathesis cannot know from a JSON Schema is said in `checks_for()`: a request may
be well formed and still name a resource that does not exist, or carry a filter whose
grammar (AIP-160) or a template whose syntax the server checks. Those operations may answer
400/422 to data the schema allows; everything else must accept what the document allows
and reject what it does not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

KANRI = Path(sys.executable).with_name("kanri")
ST = Path(sys.executable).with_name("st")
STARTUP_SECONDS = 60
SEED = 20_240_601

# Operations whose schema-valid requests the server may still refuse, and why. The key is a
# regular expression over "METHOD /path"; the value the statuses such a refusal has.
SEMANTIC_RULES: dict[str, tuple[list[str], str]] = {
    # References to other resources: they must exist in the project (422 naming the field).
    r"^(POST|PATCH) /v1/(agents|budgets|judges|threads|schedules)(/\{[a-z_]+\})?$": (
        ["422"],
        "names another resource (agent, provider, automation) that must exist",
    ),
    r"^POST /v1/agents/\{agent_id\}/(runs|map-runtime)$": (
        ["422"],
        "the agent's tools and provider decide which messages and runtimes are valid",
    ),
    # Definitions in languages of their own: templates (Jinja), conditions, cron, rules.
    r"^(POST|PATCH) /v1/(automations|policies)(/\{[a-z_]+\})?$": (
        ["422"],
        "templates, conditions and policy rules are parsed by the server",
    ),
    r"^POST /v1/governance/pre-check$": (["422"], "the policy facts are checked by the rules"),
    r"^PUT /v1/policies/default$": (["422"], "names a policy that must exist"),
    r"^PUT /v1/moderation/settings$": (["422"], "the classifier names a provider that must exist"),
    r"^(POST|PATCH) /v1/moderation/rules": (
        ["422"],
        "a regex must compile on RE2; a classifier condition names the project's categories",
    ),
    # Content: locales are the project's, types and references must exist, a field's options
    # depend on its type, an asset's type is read from its bytes.
    r"^(GET|POST|PATCH) /v1/(content|public/content|cms)/": (
        ["415", "422"],
        "locales, types and references are the project's; field options follow the type",
    ),
    r"^PUT /v1/content/locales$": (["422"], "the default locale is one of the locales"),
    # Observability queries: the window decides how many steps and points a query takes.
    r"^POST /v1/(metrics|events):(query|funnel)$": (
        ["400", "422"],
        "a filter is parsed; from < to; at most 10,000 steps and 1,000,000 points a query",
    ),
    r"^POST /v1/moderation/items:batch$": (["422"], "an external_id appears once per batch"),
    # Filters (AIP-160) in a body: their grammar is checked by the server.
    r"^POST /v1/(runs:batch\w+|knowledge/(namespaces/\{namespace\}/)?search|moderation/scan)$": (
        ["400"],
        "a filter in the body is parsed by the server",
    ),
    r"^POST /v1/automations/\{automation_id\}/runs$": (
        ["422"],
        "inputs are checked against the automation's own JSON Schema",
    ),
    r"^POST /v1/runs/\{run_id\}/(fork|retry)$": (
        ["409", "422"],
        "the step to fork from must exist in the run's definition",
    ),
    # Records: values are checked against the object's fields, which the user defines.
    r"^(POST|PUT|PATCH) /v1/objects/\{object_id\}/(records|fields)": (
        ["400", "422"],
        "field values follow the object's own fields; match_on must name a unique field",
    ),
    # Documents are read as their content type says.
    r"^(POST|PUT) /v1/knowledge/namespaces/\{namespace\}/entries": (
        ["422"],
        "the document must be readable as its content type",
    ),
    r"^(POST|PATCH) /v1/knowledge/namespaces(/\{namespace\})?$": (
        ["422"],
        "the embedding provider must exist and chunking overlap stay under half the chunk",
    ),
    # Time relative to now: expiry in the future and within a bound.
    r"^POST /v1/(api-keys|policy-exceptions|projects/\{project_id\}/api-keys)$": (
        ["422"],
        "expires_at must lie in the future (and within the bound the document states)",
    ),
    r"^POST /v1/external-executions": (
        ["409", "422"],
        "finished_at after started_at; the execution's state decides what may follow",
    ),
    # The outbound guard: a URL that resolves to a private address is refused.
    r"^(POST|PATCH) /v1/(webhooks|providers)(/\{[a-z_]+\})?$": (
        ["422"],
        "URLs must resolve to public addresses unless the project allows private networks",
    ),
    r"^POST /v1/openai/chat/completions$": (
        ["400", "422"],
        "messages are checked against the agent's conversation (tool calls and results)",
    ),
}
HEADERS = {"Kanri-Environment": "production"}  # a valid environment on every request
# Multipart bodies: every part is text on the wire, so a "wrong type" cannot be told apart.
UNTYPED_BODIES = {
    "knowledge_namespaces_entries_upload": "a part without a file name is a text document",
    # Protobuf: any bytes are a message whose unknown fields are skipped, as OTLP requires.
    "otlp_logs_export": "a protobuf body has no JSON type",
    "otlp_metrics_export": "a protobuf body has no JSON type",
    "otlp_traces_export": "a protobuf body has no JSON type",
}
# Operations whose only parameters are path ids the campaign fixes to real ones: schemathesis
# still reports the id it mutated for a negative case while the real one is sent, and 200.
FIXED_ONLY = ["agents_versions_get", "automations_versions_get"]
# Streams that never end: tests/events and tests/observability cover them.
LIVE_STREAMS = ["--exclude-path", "/v1/events/stream", "--exclude-path", "/v1/logs:tail"]
# Lists: a filter (AIP-160), an order_by and a page token are checked by the server.
LIST_PARAMETERS = {"filter", "order_by", "page_token", "expand"}


@dataclass
class Server:
    base_url: str
    admin_key: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Tenant:
    project_key: str
    parameters: dict[str, str] = field(default_factory=dict)  # path parameter → real id
    sacrificial: dict[str, dict[str, str]] = field(default_factory=dict)  # operation → ids


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(data_dir: Path, database_url: str | None, **overrides: str) -> dict[str, str]:
    """Limits raised so that the campaign never meets a 429 it did not ask for."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("KANRI_")}
    env.update(
        KANRI_DATA_DIR=str(data_dir),
        KANRI_SECRET_KEY="contract-secret-" + "x" * 40,
        KANRI_DEFAULT_RATE_LIMIT_PER_MINUTE="1000000",
        KANRI_ADMIN_RATE_LIMIT_PER_MINUTE="1000000",
        KANRI_PUBLIC_RATE_LIMIT_PER_MINUTE="1000000",
        KANRI_AUTH_FAILURE_LIMIT_PER_MINUTE="1000000",
        KANRI_KEY_CACHE_SECONDS="5",
        KANRI_LOG_LEVEL="warning",
    )
    if database_url and database_url.startswith("postgresql"):
        env["KANRI_DATABASE_URL"] = database_url
    env.update(overrides)
    return env


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def running_server(data_dir: Path, env: dict[str, str], org: str) -> Iterator[Server]:
    """`kanri admin bootstrap`, then `kanri serve` on a free port until the block ends."""
    # cwd=data_dir: no kanri.toml of the checkout is read; only `env` counts.
    boot = subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [str(KANRI), "admin", "bootstrap", "--org", org, "--json"],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if boot.returncode != 0:
        raise RuntimeError(f"kanri admin bootstrap failed:\n{boot.stderr}")
    admin_key: str = json.loads(boot.stdout.strip().splitlines()[-1])["admin_key"]
    port = free_port()
    log = data_dir / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603
            [str(KANRI), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=data_dir,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", admin_key, process, log)
    try:
        wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx.Client(base_url=server.base_url, timeout=5) as http:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"kanri serve exited:\n{tail(server.log)}")
            with contextlib.suppress(httpx.TransportError):
                if http.get("/health").status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"kanri serve did not answer:\n{tail(server.log)}")
            time.sleep(0.1)


def created(response: httpx.Response) -> dict[str, Any]:
    if response.status_code not in (200, 201, 202):
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
    body: dict[str, Any] = response.json()
    return body


AUTOMATION = {  # ends at once: a fuzzed `?wait=60` must not hold a worker for a minute
    "name": "refund-order",
    "definition": {
        "inputs": {"type": "object", "properties": {"order": {"type": "string"}}},
        "steps": [{"id": "check", "kind": "transform", "output": {"order": "{{ inputs.order }}"}}],
    },
}
REVIEWED = {  # waits for a person: the approval the approvals' operations act on
    "name": "reviewed-refund",
    "definition": {"steps": [{"id": "review", "kind": "approval", "message": "Refund?"}]},
}


def seed(base_url: str, admin_key: str, name: str) -> Tenant:
    """A project with one resource of every kind, under the names the document's examples use."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        admin = {"Authorization": f"Bearer {admin_key}"}
        project = created(http.post("/v1/projects", json={"name": name}, headers=admin))
        spare = created(http.post("/v1/projects", json={"name": f"{name}-spare"}, headers=admin))
        key = created(
            http.post(f"/v1/projects/{project['id']}/api-keys", json={"name": "run"}, headers=admin)
        )
        tenant = Tenant(project_key=key["key"])
        http.headers["Authorization"] = f"Bearer {tenant.project_key}"
        ids = tenant.parameters
        ids["project_id"] = spare["id"]
        ids["environment_id"] = created(http.post("/v1/environments", json={"name": "staging"}))[
            "id"
        ]
        revoke = created(http.post("/v1/api-keys", json={"name": "to revoke"}))
        rotate = created(http.post("/v1/api-keys", json={"name": "to rotate"}))
        ids["key_id"] = revoke["id"]
        tenant.sacrificial["POST /v1/api-keys/{key_id}/rotate"] = {"key_id": rotate["id"]}
        provider = {"name": "openai", "kind": "offline", "default_model": "echo"}
        ids["provider_id"] = created(http.post("/v1/providers", json=provider))["id"]
        agent = {
            "name": "support-agent",
            "instructions": "Answer in one sentence.",
            "runtime": {"provider": "openai"},
            "tools": [{"name": "emit_event"}],
        }
        ids["agent_id"] = created(http.post("/v1/agents", json=agent))["id"]
        ids["thread_id"] = created(http.post("/v1/threads", json={"agent": "support-agent"}))["id"]
        for definition in (REVIEWED, AUTOMATION):
            automation = created(http.post("/v1/automations", json=definition))
            created(http.post(f"/v1/automations/{automation['id']}/publish", json={}))
            run = created(http.post(f"/v1/automations/{automation['id']}/runs", json={}))
        ids["automation_id"], ids["run_id"] = automation["id"], run["id"]
        ids["approval_id"] = first_approval(http)
        schedule = {"automation": "refund-order", "cron": "0 3 * * *", "inputs": {"order": "x"}}
        ids["schedule_id"] = created(http.post("/v1/schedules", json=schedule))["id"]
        webhook = {"url": "https://hooks.example.com/kanri", "event_types": ["run.*"]}
        hook = created(http.post("/v1/webhooks", json=webhook))
        ids["webhook_id"] = hook["id"]
        delivery = created(http.post(f"/v1/webhooks/{hook['id']}/test", json={}))
        ids["delivery_id"] = delivery["id"]
        ids["event_id"] = delivery["event_id"]
        obj = {"slug": "companies", "name": "Companies"}
        ids["object_id"] = created(http.post("/v1/objects", json=obj))["id"]
        email = {"slug": "email", "name": "E-mail", "type": "email", "unique": True}
        ids["field_id"] = created(http.post(f"/v1/objects/{ids['object_id']}/fields", json=email))[
            "id"
        ]
        record = {"field_values": {"email": "ada@example.com"}}
        ids["record_id"] = created(
            http.post(f"/v1/objects/{ids['object_id']}/records", json=record)
        )["id"]
        policy = {"name": "large-refunds", "rules": []}
        ids["policy_id"] = created(http.post("/v1/policies", json=policy))["id"]
        namespace = {"name": "help-center", "embedding": {"provider": "local"}}
        ids["namespace"] = created(http.post("/v1/knowledge/namespaces", json=namespace))["id"]
        entry = {"title": "Returns", "text": "Items can be returned within 30 days."}
        ids["entry_id"] = created(
            http.post(f"/v1/knowledge/namespaces/{ids['namespace']}/entries", json=entry)
        )["id"]
        budget = {"name": "monthly-models", "limit_usd": "500", "period": "month"}
        ids["budget_id"] = created(http.post("/v1/budgets", json=budget))["id"]
        price = {
            "provider": "openai",
            "model": "echo",
            "input_per_million": "1",
            "output_per_million": "2",
        }
        ids["price_id"] = created(http.post("/v1/prices", json=price))["id"]
        judge = {
            "name": "answers-cite",
            "agent": "support-agent",
            "kind": "rule",
            "config": {"checks": [{"path": "$.content", "type": "contains", "value": "https://"}]},
        }
        ids["judge_id"] = created(http.post("/v1/judges", json=judge))["id"]
        execution = {
            "engine": "n8n",
            "workflow_id": "wf-1",
            "execution_id": "ex-1",
            "status": "running",
        }
        ids["execution_id"] = created(http.post("/v1/external-executions", json=execution))["id"]
    return tenant


def first_approval(http: httpx.Client) -> str:
    """The approval the seeded run waits on, once the worker has reached its step."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        approvals = http.get("/v1/approvals").json()["data"]
        if approvals:
            approval_id: str = approvals[0]["id"]
            return approval_id
        time.sleep(0.1)
    raise RuntimeError("the seeded run never asked for an approval")


def checks_for(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-operation overrides: the statuses a schema-valid request may still get."""
    operations: list[dict[str, Any]] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            label = f"{method.upper()} {path}"
            statuses: set[str] = set()
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            if names & LIST_PARAMETERS:
                statuses.add("400")
            for pattern, (extra, _why) in SEMANTIC_RULES.items():
                if re.search(pattern, label):
                    statuses.update(extra)
            if statuses:
                expected = ["2xx", "401", "403", "404", "409", "429", *sorted(statuses)]
                operations.append(
                    {
                        "include-operation-id": operation["operationId"],
                        "checks": {"positive_data_acceptance": {"expected-statuses": expected}},
                    }
                )
    return operations


def toml_value(value: Any) -> str:
    """JSON-shaped values as TOML (strings, numbers, booleans, arrays, inline tables)."""
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(key)} = {toml_value(item)}" for key, item in value.items())
        return "{ " + items + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def config(
    tenant: Tenant, document: dict[str, Any], *, key: str, max_examples: int, workers: int
) -> str:
    """The schemathesis configuration (TOML) of one `st run`."""
    lines = [
        f"seed = {SEED}",
        f"workers = {workers}",
        "continue-on-failure = true",
        f"headers = {toml_value({'Authorization': f'Bearer {key}', **HEADERS})}",
        "[generation]",
        'mode = "all"',
        f"max-examples = {max_examples}",
        "deterministic = true",
        'database = "none"',
        # NUL cannot be stored by PostgreSQL; the API refuses it everywhere (docs/errors.md).
        "allow-x00 = false",
        "[checks]",
        # Performance is measured by `make bench`, not asserted here: only a hung request fails.
        "max_response_time = 300",
        # 502/503 are the documented answers of an upstream (model, embedding) that failed;
        # status_code_conformance still fails one an operation does not document.
        'not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "502", "503"]',
        # A body over the size cap is refused too (413), before it is read.
        "negative_data_rejection.expected-statuses = "
        '["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]',
        "[phases.stateful]",
        "max-steps = 20",
        "[parameters]",
    ]
    lines += [
        f"{json.dumps(name)} = {json.dumps(value)}" for name, value in tenant.parameters.items()
    ]
    for operation in checks_for(document):
        lines.append("[[operations]]")
        lines.append(f"include-operation-id = {json.dumps(operation['include-operation-id'])}")
        lines.append(f"checks = {toml_value(operation['checks'])}")
    for operation_id, why in UNTYPED_BODIES.items():
        lines += [
            "[[operations]]",
            f"include-operation-id = {json.dumps(operation_id)}",
            f"# {why}",
            'checks = { negative_data_rejection = { expected-statuses = ["2xx", "4xx"] } }',
        ]
    for operation_id in FIXED_ONLY:
        lines += [
            "[[operations]]",
            f"include-operation-id = {json.dumps(operation_id)}",
            'checks = { negative_data_rejection = { expected-statuses = ["200", "4xx"] } }',
        ]
    for label, ids in tenant.sacrificial.items():
        method, path = label.split(" ", 1)
        lines += [
            "[[operations]]",
            f"include-method = {json.dumps(method)}",
            f"include-path = {json.dumps(path)}",
            f"parameters = {toml_value(ids)}",
        ]
    return "\n".join(lines) + "\n"


def run_schemathesis(
    base_url: str, toml: str, workdir: Path, *, select: list[str], name: str
) -> int:
    path = workdir / f"{name}.toml"
    path.write_text(toml)
    command = [
        str(ST),
        "--config-file",
        str(path),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        *select,
    ]
    sys.stdout.write(f"$ {' '.join(command)}\n")
    sys.stdout.flush()
    # cwd: its cache of crashes stays in the temporary directory.
    return subprocess.run(command, cwd=workdir, check=False).returncode  # noqa: S603


def campaign(*, max_examples: int, database_url: str | None, workers: int = 2) -> int:
    """Start, seed, fuzz the project's operations, then the organization's; 0 when clean."""
    with tempfile.TemporaryDirectory(prefix="kanri-fuzz-") as tmp:
        data_dir = Path(tmp)
        env = server_env(data_dir, database_url)
        name = f"fuzz-{os.getpid()}-{int(time.time())}"
        with running_server(data_dir, env, name) as server:
            tenant = seed(server.base_url, server.admin_key, name)
            document = httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()
            project = run_schemathesis(
                server.base_url,
                config(
                    tenant,
                    document,
                    key=tenant.project_key,
                    max_examples=max_examples,
                    workers=workers,
                ),
                data_dir,
                select=["--exclude-path-regex", "^/v1/projects", *LIVE_STREAMS],
                name="project",
            )
            organization = run_schemathesis(
                server.base_url,
                config(
                    tenant,
                    document,
                    key=server.admin_key,
                    max_examples=max_examples,
                    workers=workers,
                ),
                data_dir,
                select=["--include-path-regex", "^/v1/(projects|audit-logs|api-keys/)"],
                name="organization",
            )
            if project or organization:
                sys.stdout.write(f"--- server log\n{tail(server.log, 60)}\n")
            return project or organization


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL (SQLite in a temporary directory if unset)",
    )
    args = parser.parse_args()
    raise SystemExit(
        campaign(
            max_examples=args.max_examples, database_url=args.database_url, workers=args.workers
        )
    )


if __name__ == "__main__":
    main()
