"""`kanri serve | migrate | config | admin …` (Typer + Rich)."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import structlog
import typer
from rich.console import Console
from rich.table import Table

from kanri import logging as kanri_logging
from kanri.cli import client as client_verbs
from kanri.config import Settings
from kanri.core import keys as key_format
from kanri.core.auth import Principal
from kanri.core.errors import KanriError
from kanri.core.pagination import DEFAULT_PAGE_SIZE, ListParams, PageCodec
from kanri.db import migrations
from kanri.db.database import Database
from kanri.tenancy import api_key_service, project_service, schemas
from kanri.tenancy import service as tenancy

T = TypeVar("T")
app = typer.Typer(
    help="kanri: a control plane for AI agents and automations.", no_args_is_help=True
)
admin = typer.Typer(help="Operator verbs that act directly on the database.", no_args_is_help=True)
projects = typer.Typer(help="Projects of an organization.", no_args_is_help=True)
keys = typer.Typer(help="API keys of a project.", no_args_is_help=True)
client_verbs.register(app)
app.add_typer(admin, name="admin")
admin.add_typer(projects, name="projects")
admin.add_typer(keys, name="keys")
out = Console()
err = Console(stderr=True)
log = structlog.get_logger("kanri.cli")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="data directory (KANRI_DATA_DIR)", show_default=False),
]


VERBOSE = {"on": False}


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="also show the migrations' INFO lines")
    ] = False,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="the client verbs' profile (KANRI_PROFILE)"),
    ] = None,
) -> None:
    """kanri: a control plane for AI agents and automations."""
    VERBOSE["on"] = verbose
    if profile is not None:
        os.environ["KANRI_PROFILE"] = profile


def _settings(data_dir: Path | None = None) -> Settings:
    if data_dir is not None:
        os.environ["KANRI_DATA_DIR"] = str(data_dir)
    settings = Settings()
    kanri_logging.configure(settings.log_level, settings.log_json)
    if not VERBOSE["on"]:
        # Alembic says each step at INFO: noise around an operator verb's answer.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return settings


def _prepare(settings: Settings) -> None:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    _ = settings.secret  # generated into the data dir on first start
    migrations.upgrade(settings.effective_database_url)


def _run(settings: Settings, fn: Callable[..., T], *args: Any, write: bool = True) -> T:
    async def go() -> T:
        db = Database(settings.effective_database_url)
        await db.start()
        try:
            return await (db.write(fn, *args) if write else db.read(fn, *args))
        finally:
            await db.stop()

    try:
        return asyncio.run(go())
    except KanriError as exc:
        err.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(1) from None


def _organization(settings: Settings, name: str | None) -> schemas.Organization:
    orgs = _run(settings, tenancy.list_organizations, write=False)
    if name is not None:
        for org in orgs:
            if name in (org.name, org.id):
                return org
        err.print(f"[red]error:[/red] no organization '{name}'")
        raise typer.Exit(1)
    if len(orgs) != 1:
        err.print("[red]error:[/red] name the organization with --org")
        raise typer.Exit(1)
    return orgs[0]


def print_bootstrap(result: schemas.Bootstrap, host: str = "127.0.0.1", port: int = 8000) -> None:
    """The once-only banner with the first admin key, naming where kanri listens."""
    err.print(
        "\n[bold green]kanri is ready.[/bold green] Your organization admin key "
        "(shown once, store it now):\n"
    )
    print(result.admin_key, flush=True)
    err.print(
        f"\norganization: {result.organization_id}\n"
        f"Create a project:  curl -X POST http://{_url_host(host)}:{port}/v1/projects "
        "-H 'Authorization: Bearer <admin key>' -H 'Content-Type: application/json' "
        '-d \'{"name": "demo"}\'\n'
    )


def _url_host(host: str) -> str:
    """Where a client on this machine reaches a server bound to `host`."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding it
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (KANRI_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (KANRI_PORT)")] = None,
    data_dir: DataDir = None,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="API only: run executors in `kanri worker`")
    ] = False,
) -> None:
    """Migrate, bootstrap on the very first start, and serve the API."""
    # Here, not at the top: `kanri --help` and the small commands start without importing
    # the server (every feature, FastAPI, uvicorn).
    import uvicorn

    from kanri.app import create_app
    from kanri.cli.server import Server

    settings = _settings(data_dir)
    if no_worker:
        settings.worker_enabled = False
    _prepare(settings)
    if _run(settings, tenancy.organization_count, write=False) == 0:
        result = _run(settings, tenancy.bootstrap, "default", _pepper(settings))
        print_bootstrap(result, host or settings.host, port or settings.port)
    log.info(
        "serving",
        host=host or settings.host,
        port=port or settings.port,
        database=settings.masked()["effective_database_url"],
    )
    app = create_app(settings)  # its lifespan freezes the start-up heap (see app.py)
    config = uvicorn.Config(
        app,
        host=host or settings.host,
        port=port or settings.port,
        access_log=False,
        log_config=None,
        server_header=False,
        # The app reads X-Forwarded-For itself, and only from `trusted_proxies` when
        # `trust_forwarded_for` is on (see app.py): uvicorn's own reading trusts 127.0.0.1.
        proxy_headers=False,
    )
    Server(config, app.state.kanri).run()


@app.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=1000, help="runs at once (KANRI_WORKER_CONCURRENCY)"),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Run a worker alone: claims and executes runs until SIGTERM/SIGINT."""
    import signal

    # Here, not at the top: the small commands start without importing the engine.
    from kanri.role import WorkerRole
    from kanri.runtime import Kanri
    from kanri.tenancy.service import TenancyAuthStore

    settings = _settings(data_dir)
    _prepare(settings)

    async def go() -> None:
        db = Database(
            settings.effective_database_url,
            pool_size=settings.db_pool_size,
            write_batch_size=settings.write_batch_size,
        )
        await db.start()
        kanri = Kanri(settings=settings, db=db, tenancy=TenancyAuthStore())
        role = WorkerRole(kanri, concurrency=concurrency)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await role.start()
        # As `kanri serve`'s lifespan does: the start-up heap out of the collector's full
        # passes (a full pass over it costs more than a webhook delivery).
        gc.freeze()
        try:
            await stop.wait()
        finally:
            await role.stop()
            await db.stop()

    _event_loop(go())


def _event_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run `main` on uvloop when it is installed (as `kanri serve` does through uvicorn)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] installs it on Linux and macOS
        asyncio.run(main)
    else:
        uvloop.run(main)


def _pepper(settings: Settings) -> bytes:
    return key_format.pepper(settings.secret)


@app.command()
def migrate(data_dir: DataDir = None) -> None:
    """Apply pending database migrations."""
    settings = _settings(data_dir)
    _prepare(settings)
    err.print(f"database at revision {migrations.head_revision()}")


@app.command()
def config(data_dir: DataDir = None) -> None:
    """Print the effective settings as JSON, secrets masked."""
    settings = _settings(data_dir)
    print(json.dumps(settings.masked(), indent=2, default=str))


@admin.command("bootstrap")
def bootstrap(
    org: Annotated[str, typer.Option("--org", help="organization name")],
    as_json: Annotated[bool, typer.Option("--json", help="print only JSON on stdout")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create an organization and an organization admin key."""
    settings = _settings(data_dir)
    _prepare(settings)
    result = _run(settings, tenancy.bootstrap, org, _pepper(settings))
    if as_json:
        print(
            json.dumps({"organization_id": result.organization_id, "admin_key": result.admin_key})
        )
    else:
        print_bootstrap(result)


@projects.command("create")
def projects_create(
    name: str,
    org: Annotated[str | None, typer.Option("--org")] = None,
    description: Annotated[str, typer.Option()] = "",
    data_dir: DataDir = None,
) -> None:
    """Create a project (with production and development environments)."""
    settings = _settings(data_dir)
    _prepare(settings)
    who = Principal.system(_organization(settings, org).id)
    try:
        body = schemas.ProjectCreate(name=name, description=description)
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    project = _run(
        settings, project_service.create_project, who, body, settings.default_rate_limit_per_minute
    )
    print(project.model_dump_json(indent=2))


def _all(settings: Settings, fn: Callable[..., Any], *args: Any) -> list[Any]:
    params = ListParams(
        page_size=DEFAULT_PAGE_SIZE * 20,
        page_token=None,
        filter=None,
        order_by=None,
        include_total=False,
        codec=PageCodec(settings.secret),
    )
    page = _run(settings, fn, *args, params, write=False)
    return list(page.items)


def _table(*columns: str) -> Table:
    """Ids whole at any width (a key id is copied into `keys revoke`); the rest folds."""
    table = Table()
    for name in columns:
        if name == "id":
            table.add_column(name, no_wrap=True)
        else:
            table.add_column(name, overflow="fold")
    return table


JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON lines instead of a table")]


def _print_json_lines(items: list[Any]) -> None:
    for item in items:
        print(item.model_dump_json())


@projects.command("list")
def projects_list(
    org: Annotated[str | None, typer.Option("--org")] = None,
    as_json: JsonFlag = False,
    data_dir: DataDir = None,
) -> None:
    """List projects."""
    settings = _settings(data_dir)
    _prepare(settings)
    who = Principal.system(_organization(settings, org).id)
    if as_json:
        _print_json_lines(_all(settings, project_service.list_projects, who))
        return
    table = _table("id", "name", "rate limit/min", "created")
    for p in _all(settings, project_service.list_projects, who):
        table.add_row(p.id, p.name, str(p.rate_limit_per_minute), p.create_time.isoformat())
    out.print(table)


@keys.command("create")
def keys_create(
    project: Annotated[
        str | None, typer.Option("--project", help="project id or name (a project key)")
    ] = None,
    admin_key: Annotated[
        bool,
        typer.Option("--admin", help="an organization admin key instead (replaces a lost one)"),
    ] = False,
    name: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[str, typer.Option(help="secret or publishable")] = "secret",
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="repeatable; default *")
    ] = None,
    environment: Annotated[str | None, typer.Option()] = None,
    org: Annotated[str | None, typer.Option("--org")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create a project key (--project) or an organization admin key (--admin) and print
    it once."""
    if admin_key == (project is not None):
        err.print("[red]error:[/red] give either --project or --admin")
        raise typer.Exit(2)
    settings = _settings(data_dir)
    _prepare(settings)
    organization = _organization(settings, org)
    if project is None:
        created = _run(
            settings,
            tenancy.create_admin_key,
            organization.id,
            name or "cli admin key",
            _pepper(settings),
        )
    else:
        who = Principal.system(organization.id)
        try:
            body = schemas.ApiKeyCreate.model_validate(
                {
                    "name": name or "cli key",
                    "kind": kind,
                    "scopes": scope,
                    "environment": environment,
                }
            )
        except ValueError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        created = _run(settings, api_key_service.create_key, who, project, body, _pepper(settings))
    if as_json:
        print(created.model_dump_json())
    else:
        owner = created.project_id or f"organization {organization.name}"
        err.print(f"key {created.id} for {owner} (shown once):")
        print(created.key)


@keys.command("list")
def keys_list(
    project: Annotated[str, typer.Option("--project")],
    org: Annotated[str | None, typer.Option("--org")] = None,
    as_json: JsonFlag = False,
    data_dir: DataDir = None,
) -> None:
    """List a project's keys (prefix and last four characters only)."""
    settings = _settings(data_dir)
    _prepare(settings)
    who = Principal.system(_organization(settings, org).id)
    if as_json:
        _print_json_lines(_all(settings, api_key_service.list_keys, who, project))
        return
    table = _table("id", "name", "kind", "key", "scopes", "revoked")
    for k in _all(settings, api_key_service.list_keys, who, project):
        revoked = k.revoked_at.isoformat() if k.revoked_at else ""
        table.add_row(
            k.id, k.name, k.kind, f"{k.prefix}…{k.last_four}", " ".join(k.scopes), revoked
        )
    out.print(table)


@keys.command("revoke")
def keys_revoke(
    key_id: str,
    org: Annotated[str | None, typer.Option("--org")] = None,
    data_dir: DataDir = None,
) -> None:
    """Revoke any key (a project's or an organization admin key) at once, by its id."""
    settings = _settings(data_dir)
    _prepare(settings)
    owner = _run(settings, tenancy.key_organization, key_id, write=False)
    if org is None and owner is None:
        err.print(f"[red]error:[/red] no key '{key_id}'")
        raise typer.Exit(1)
    who = Principal.system(_organization(settings, org).id if org else str(owner))
    revoked = _run(settings, api_key_service.revoke_key, who, key_id)
    err.print(f"revoked {revoked.id}")
