"""The client verbs: `kanri login | profile | automations | runs | approvals | exceptions |
knowledge | records | audit | costs`, over the Python SDK (they import nothing of the server,
and talk to it over HTTP like any client)."""

from __future__ import annotations

import csv
import difflib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml  # type: ignore[import-untyped]
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from kanri.cli import profiles

if TYPE_CHECKING:
    from kanri.client import Kanri, KanriError

from kanri.cli.output import Output, OutputOption, emit, err, guarded, out, problem, take

automations = typer.Typer(
    help="Automations: list, get, apply a file, publish.", no_args_is_help=True
)
runs = typer.Typer(help="Runs: start, list, watch, cancel, retry, fork.", no_args_is_help=True)
approvals = typer.Typer(help="Approvals waiting for a person.", no_args_is_help=True)
knowledge = typer.Typer(help="Knowledge namespaces.", no_args_is_help=True)
records = typer.Typer(help="Records of custom objects.", no_args_is_help=True)
audit = typer.Typer(help="The audit trail.", no_args_is_help=True)
profile = typer.Typer(help="Profiles of `kanri login`.", no_args_is_help=True)

AUTOMATION_COLUMNS = ("id", "name", "published_version", "latest_version", "update_time")
RUN_COLUMNS = ("id", "status", "automation_id", "version", "create_time")
APPROVAL_COLUMNS = ("id", "run_id", "status", "message", "create_time")


def client() -> Kanri:
    # Here, not at the top: `kanri serve` and the operator verbs start without the SDK.
    from kanri.client import Kanri

    active = profiles.active()
    if not active.api_key:
        err.print("[red]error:[/red] no API key: run `kanri login` or set KANRI_API_KEY")
        raise typer.Exit(1)
    return Kanri(base_url=active.base_url, api_key=active.api_key, project=active.project)


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.add_typer(profile, name="profile")
    app.add_typer(automations, name="automations")
    app.add_typer(runs, name="runs")
    app.add_typer(approvals, name="approvals")
    app.command("exceptions")(exceptions)
    app.add_typer(knowledge, name="knowledge")
    app.add_typer(records, name="records")
    app.add_typer(audit, name="audit")
    app.command("costs")(costs)


# login and profiles


@guarded
def login(
    api_key: Annotated[str, typer.Option("--api-key", prompt=True, hide_input=True)],
    base_url: Annotated[str, typer.Option("--base-url")] = "http://127.0.0.1:8000",
    name: Annotated[str | None, typer.Option("--name", help="profile name")] = None,
    project: Annotated[
        str | None, typer.Option("--project", help="Kanri-Project (for an admin key)")
    ] = None,
) -> None:
    """Check that kanri answers at BASE_URL and store the key in a profile (mode 0600)."""
    # Here, not at the top: `kanri serve` and the operator verbs start without the SDK.
    from kanri.client import Kanri

    data = profiles.load()
    profile_name = name or profiles.active().name
    with Kanri(base_url=base_url, api_key=api_key, max_retries=1) as kanri:
        kanri.system.health()
    stored: dict[str, str] = {"base_url": base_url, "api_key": api_key}
    if project:
        stored["project"] = project
    data["profiles"][profile_name] = stored
    data["current"] = profile_name
    path = profiles.save(data)
    err.print(f"logged in to {base_url} as profile '{profile_name}' ({path})")


@profile.command("list")
def profile_list(output: OutputOption = Output.table) -> None:
    """The stored profiles (keys shown by their prefix)."""
    data = profiles.load()
    rows = [
        {
            "name": name,
            "current": "*" if name == data["current"] else "",
            "base_url": p.get("base_url"),
            "api_key": (p.get("api_key") or "")[:12] + "…",
        }
        for name, p in sorted(data["profiles"].items())
    ]
    emit(rows, output, ("name", "current", "base_url", "api_key"))


@profile.command("use")
def profile_use(name: str) -> None:
    """Make NAME the current profile."""
    data = profiles.load()
    if name not in data["profiles"]:
        err.print(f"[red]error:[/red] no profile '{name}'")
        raise typer.Exit(1)
    data["current"] = name
    profiles.save(data)
    err.print(f"current profile: {name}")


# automations


@automations.command("list")
@guarded
def automations_list(
    filter: Annotated[str | None, typer.Option(help="AIP-160 filter")] = None,
    limit: Annotated[int | None, typer.Option()] = None,
    output: OutputOption = Output.table,
) -> None:
    """The project's automations."""
    with client() as kanri:
        items = take(kanri.automations.list(filter=filter), limit)
    emit(items, output, AUTOMATION_COLUMNS)


@automations.command("get")
@guarded
def automations_get(automation: str, output: OutputOption = Output.yaml) -> None:
    """One automation (id or name) with its draft definition."""
    with client() as kanri:
        emit(kanri.automations.get(automation), output, AUTOMATION_COLUMNS)


def _read_document(path: Path) -> dict[str, Any]:
    text = path.read_text()
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict) or "name" not in data or "definition" not in data:
        err.print(f"[red]error:[/red] {path}: an object with `name` and `definition`")
        raise typer.Exit(1)
    return data


def _diff(before: Any, after: Any, label: str) -> str:
    old = yaml.safe_dump(before, sort_keys=True).splitlines()
    new = yaml.safe_dump(after, sort_keys=True).splitlines()
    return "\n".join(difflib.unified_diff(old, new, label, "draft", lineterm=""))


@automations.command("apply")
@guarded
def automations_apply(
    file: Annotated[Path, typer.Option("-f", "--file", exists=True, dir_okay=False)],
    publish: Annotated[bool, typer.Option("--publish", help="publish the draft")] = False,
) -> None:
    """Create the automation of FILE (YAML or JSON), or update its draft; show the diff
    against the published version; publish with --publish."""
    # Here, not at the top: `kanri serve` and the operator verbs start without the SDK.
    from kanri.client import NotFound

    document = _read_document(file)
    name = document["name"]
    fields = {k: document[k] for k in ("description", "labels") if k in document}
    with client() as kanri:
        try:
            current = kanri.automations.get(name)
        except NotFound:
            current = None
        published: Any = None
        if current is None:
            saved = kanri.automations.create(name=name, definition=document["definition"], **fields)
            err.print(f"created automation {name}")
        else:
            saved = kanri.automations.update(name, definition=document["definition"], **fields)
            err.print(f"updated the draft of {name}")
            if current.published_version:
                version = kanri.automations.versions_get(name, str(current.published_version))
                published = plain_definition(version)
        # both as kanri keeps them (defaults filled in), so only real changes show
        draft = plain_definition(saved)
        label = "published" if published is not None else "(nothing published)"
        diff = _diff(published or {}, draft, label)
        out.print(diff or "no change against the published version", markup=False)
        if publish:
            done = kanri.automations.publish(name)
            err.print(f"published {name} version {done.version}")


def plain_definition(version: Any) -> Any:
    dumped = version.model_dump(mode="json")
    return dumped.get("definition")


@automations.command("publish")
@guarded
def automations_publish(automation: str) -> None:
    """Publish the draft as the next version."""
    with client() as kanri:
        done = kanri.automations.publish(automation)
    err.print(f"published version {done.version}")


@automations.command("versions")
@guarded
def automations_versions(automation: str, output: OutputOption = Output.table) -> None:
    """The published versions."""
    with client() as kanri:
        items = kanri.automations.versions_list(automation).data
    emit(items, output, ("version", "published", "create_time"))


@automations.command("rollback")
@guarded
def automations_rollback(automation: str, version: Annotated[int, typer.Option()]) -> None:
    """Publish VERSION again."""
    with client() as kanri:
        kanri.automations.rollback(automation, version=version)
    err.print(f"{automation} publishes version {version} again")


# runs


def _inputs(pairs: list[str] | None, inputs_file: Path | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if inputs_file is not None:
        text = inputs_file.read_text()
        values.update(json.loads(text) if inputs_file.suffix == ".json" else yaml.safe_load(text))
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep:
            err.print(f"[red]error:[/red] --input {pair}: KEY=VALUE")
            raise typer.Exit(2)
        try:
            values[key] = json.loads(raw)
        except ValueError:
            values[key] = raw
    return values


def watch_run(kanri: Kanri, run_id: str) -> int:
    """A live table of the run's steps from its events; 0 completed, 1 failed/cancelled."""
    steps: dict[str, str] = {}
    status = {"run": "running"}

    def render() -> Table:
        table = Table(title=f"run {run_id}: {status['run']}")
        table.add_column("step", no_wrap=True)
        table.add_column("status")
        for step, state in steps.items():
            table.add_row(step, state)
        return table

    with Live(render(), console=err, refresh_per_second=8, transient=False) as live:
        for event in kanri.runs.stream(run_id):
            step, state = event.data.get("step_id"), event.data.get("status")
            if event.type.startswith("run.step_") and step and state:
                steps[str(step)] = str(state)  # run.step_completed, run.step_failed, …
            elif event.type.startswith("run.") and "step" not in event.type:
                status["run"] = event.type.removeprefix("run.")
            live.update(render())
    run = kanri.runs.get(run_id)
    out.print(f"{run.id} {run.status}", highlight=False)
    return 0 if run.status == "completed" else 1


@runs.command("start")
@guarded
def runs_start(
    automation: str,
    input: Annotated[list[str] | None, typer.Option("--input", help="KEY=VALUE")] = None,
    inputs_file: Annotated[Path | None, typer.Option(exists=True, dir_okay=False)] = None,
    watch: Annotated[bool, typer.Option("--watch", help="follow the run until it ends")] = False,
    output: OutputOption = Output.table,
) -> None:
    """Start a run of AUTOMATION (id or name)."""
    with client() as kanri:
        run = kanri.runs.start(automation, _inputs(input, inputs_file))
        if watch:
            raise typer.Exit(watch_run(kanri, run.id))
    emit(run, output, RUN_COLUMNS)


@runs.command("list")
@guarded
def runs_list(
    filter: Annotated[str | None, typer.Option(help="AIP-160 filter")] = None,
    status: Annotated[str | None, typer.Option(help="only runs in this status")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    output: OutputOption = Output.table,
) -> None:
    """Runs, newest first."""
    terms = [t for t in (filter, f'status = "{status}"' if status else None) if t]
    with client() as kanri:
        items = take(kanri.runs.list(filter=" AND ".join(terms) or None), limit)
    emit(items, output, RUN_COLUMNS)


@runs.command("get")
@guarded
def runs_get(run_id: str, output: OutputOption = Output.table) -> None:
    """One run."""
    with client() as kanri:
        emit(kanri.runs.get(run_id), output, (*RUN_COLUMNS, "outputs", "error"))


@runs.command("logs")
@guarded
def runs_logs(run_id: str, output: OutputOption = Output.table) -> None:
    """A run's log lines."""
    with client() as kanri:
        items = kanri.runs.logs_list(run_id).data
    emit(items, output, ("time", "level", "step_id", "message"))


@runs.command("cancel")
@guarded
def runs_cancel(run_id: str) -> None:
    """Cancel a run."""
    with client() as kanri:
        run = kanri.runs.cancel(run_id)
    out.print(f"{run.id} {run.status}", highlight=False)


@runs.command("retry")
@guarded
def runs_retry(run_id: str) -> None:
    """Retry a failed run from its failed step."""
    with client() as kanri:
        run = kanri.runs.retry(run_id)
    out.print(f"{run.id} {run.status}", highlight=False)


@runs.command("fork")
@guarded
def runs_fork(run_id: str, from_step: Annotated[str, typer.Option("--from-step")]) -> None:
    """A new run of RUN_ID's version and inputs, from FROM_STEP on."""
    with client() as kanri:
        run = kanri.runs.fork(run_id, from_step=from_step)
    out.print(f"{run.id} {run.status}", highlight=False)


@runs.command("watch")
@guarded
def runs_watch(run_id: str) -> None:
    """Follow a run until it ends: exit 0 when it completed, 1 when it failed or was
    cancelled."""
    with client() as kanri:
        raise typer.Exit(watch_run(kanri, run_id))


# approvals and exceptions


@approvals.command("list")
@guarded
def approvals_list(
    filter: Annotated[str | None, typer.Option(help="AIP-160 filter")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    output: OutputOption = Output.table,
) -> None:
    """Approvals (pending first)."""
    with client() as kanri:
        items = take(kanri.approvals.list(filter=filter), limit)
    emit(items, output, APPROVAL_COLUMNS)


@approvals.command("approve")
@guarded
def approvals_approve(
    approval_id: str, comment: Annotated[str, typer.Option("--comment")] = ""
) -> None:
    """Approve."""
    with client() as kanri:
        done = kanri.approvals.approve(approval_id, comment=comment)
    out.print(f"{done.id} {done.status}", highlight=False)


@approvals.command("reject")
@guarded
def approvals_reject(
    approval_id: str, comment: Annotated[str, typer.Option("--comment")] = ""
) -> None:
    """Reject."""
    with client() as kanri:
        done = kanri.approvals.reject(approval_id, comment=comment)
    out.print(f"{done.id} {done.status}", highlight=False)


@guarded
def exceptions(
    limit: Annotated[int, typer.Option()] = 50, output: OutputOption = Output.table
) -> None:
    """Runs that failed or wait for a person, with the reason."""
    with client() as kanri:
        items = take(kanri.exceptions.list(), limit)
    rows = [{**item.model_dump(mode="json"), "run_id": item.run.id} for item in items]
    emit(rows, output, ("run_id", "severity", "reason"))


# knowledge and records: progress bars, errors collected, idempotent again


class RateColumn(ProgressColumn):
    """Items a second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f}/s" if speed else "–/s")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        console=err,
    )


def _report(failed: list[tuple[str, KanriError]]) -> None:
    for what, exc in failed:
        err.print(f"[red]{what}[/red]", highlight=False)
        problem(exc)
    if failed:
        raise typer.Exit(1)


@knowledge.command("upload")
@guarded
def knowledge_upload(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
    namespace: Annotated[str, typer.Option("--namespace")],
) -> None:
    """Upload every file under DIRECTORY; entry ids come from the paths, so uploading again
    replaces the entries instead of adding copies."""
    # Here, not at the top: `kanri serve` and the operator verbs start without the SDK.
    from kanri.client import KanriError, NotFound, entry_body, entry_id_for

    files = sorted(p for p in directory.rglob("*") if p.is_file())
    failed: list[tuple[str, KanriError]] = []
    with client() as kanri:
        try:
            kanri.knowledge.namespaces_get(namespace)
        except NotFound:
            kanri.knowledge.namespaces_create(name=namespace)
        with _progress() as progress:
            task = progress.add_task("uploading", total=len(files))
            for path in files:
                try:
                    kanri.knowledge.namespaces_entries_replace(
                        namespace,
                        entry_id_for(path, directory),
                        wait=False,
                        **entry_body(path),
                    )
                except KanriError as exc:
                    failed.append((str(path), exc))
                progress.advance(task)
    err.print(f"{len(files) - len(failed)} of {len(files)} files uploaded to {namespace}")
    _report(failed)


@records.command("import")
@guarded
def records_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    object: Annotated[str, typer.Option("--object", help="the object's slug or id")],
    key: Annotated[str, typer.Option("--key", help="a unique field to upsert on")],
) -> None:
    """Upsert one record per CSV row, matched on the unique field KEY (so importing the
    same file again changes nothing)."""
    # Here, not at the top: `kanri serve` and the operator verbs start without the SDK.
    from kanri.client import KanriError

    with file.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    failed: list[tuple[str, KanriError]] = []
    with client() as kanri, _progress() as progress:
        task = progress.add_task("importing", total=len(rows))
        for number, row in enumerate(rows, start=2):
            values = {k: v for k, v in row.items() if k and v != ""}
            try:
                kanri.records.upsert(object, field_values=values, match_on=key)
            except KanriError as exc:
                failed.append((f"line {number}", exc))
            progress.advance(task)
    err.print(f"{len(rows) - len(failed)} of {len(rows)} rows imported into {object}")
    _report(failed)


# audit and costs


@audit.command("verify")
@guarded
def audit_verify(output: OutputOption = Output.table) -> None:
    """Recompute the audit chain's hashes; exit 1 when a row was changed."""
    with client() as kanri:
        result = kanri.audit_logs.verify()
    emit(result, output, ("valid", "checked", "first_broken"))
    if not result.valid:
        raise typer.Exit(1)


@guarded
def costs(
    group_by: Annotated[str, typer.Option("--group-by", help="agent, model or day")] = "model",
    since: Annotated[str | None, typer.Option("--from")] = None,
    until: Annotated[str | None, typer.Option("--to")] = None,
    output: OutputOption = Output.table,
) -> None:
    """Spend by agent, model or day, with a bar per row."""
    with client() as kanri:
        report = kanri.costs.get(group_by=group_by, from_=since, to=until)  # type: ignore[arg-type]
    if output is not Output.table:
        emit(report, output, ())
        return
    table = Table(title=f"costs by {group_by}")
    for name in (group_by, "calls", "cost_usd", ""):
        table.add_column(name, overflow="fold")
    top = max([float(row.cost_usd) for row in report.data] + [0.0])
    for row in report.data:
        share = float(row.cost_usd) / top if top else 0.0
        label = ",".join(str(v) for v in row.group.values())
        table.add_row(label, str(row.calls), row.cost_usd, "█" * round(share * 20))
    table.add_row("total", str(report.total.calls), report.total.cost_usd, "")
    out.print(table)
