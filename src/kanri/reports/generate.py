"""Built-in reports over a period, rendered to HTML (Jinja2, autoescaped; charts as inline
SVG; no external asset, no script): `costs`, `exceptions`, `audit`, `observability`."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

from kanri.core import audit
from kanri.core.auth import Principal
from kanri.core.models import AuditLogRow
from kanri.core.time import rfc3339
from kanri.costs import service as costs
from kanri.engine.models import RunRow
from kanri.observability import query as observability

BuiltIn = Literal["costs", "exceptions", "audit", "observability"]
TITLES = {
    "costs": "Costs",
    "exceptions": "Exceptions",
    "audit": "Audit digest",
    "observability": "Observability",
}
MAX_RUNS = 100
_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_TEMPLATES = {
    "costs": """
<p>Total: <strong>${{ total }}</strong> over {{ calls }} model calls.</p>
{% if days %}
<h2>Spend by day</h2>
{% set width = 40 * days|length + 20 %}
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="spend by day"
     width="{{ width }}" height="160" viewBox="0 0 {{ width }} 160">
{% for day in days %}
  <rect x="{{ 10 + 40 * loop.index0 }}" y="{{ 130 - day.height }}" width="30"
        height="{{ day.height }}" fill="#2f6feb">
    <title>{{ day.label }}: ${{ day.cost }}</title></rect>
  <text x="{{ 25 + 40 * loop.index0 }}" y="150" font-size="9"
        text-anchor="middle">{{ day.short }}</text>
{% endfor %}
</svg>
{% endif %}
{% for name, rows in groups %}
<h2>By {{ name }}</h2>
<table><tr><th>{{ name }}</th><th>calls</th><th>tokens</th><th>cost (USD)</th></tr>
{% for row in rows %}
<tr><td>{{ row.label }}</td><td>{{ row.calls }}</td><td>{{ row.tokens }}</td>
<td>{{ row.cost }}</td></tr>
{% else %}
<tr><td colspan="4">no model calls</td></tr>
{% endfor %}
</table>
{% endfor %}
""",
    "exceptions": """
<p>{{ failed|length }} failed and {{ waiting|length }} waiting runs.</p>
{% for name, runs in [("Failed", failed), ("Waiting", waiting)] %}
<h2>{{ name }}</h2>
<table><tr><th>run</th><th>automation or agent</th><th>reason</th><th>since</th></tr>
{% for run in runs %}
<tr><td>{{ run.id }}</td><td>{{ run.owner }}</td><td>{{ run.reason }}</td>
<td>{{ run.time }}</td></tr>
{% else %}
<tr><td colspan="4">none</td></tr>
{% endfor %}
</table>
{% endfor %}
""",
    "audit": """
<p>The project's audit chain is <strong>{{ "intact" if valid else "broken" }}</strong>
({{ checked }} rows checked{% if broken %}; first wrong row {{ broken }}{% endif %}).</p>
<h2>Actions in the period</h2>
<table><tr><th>action</th><th>rows</th></tr>
{% for action, count in actions %}
<tr><td>{{ action }}</td><td>{{ count }}</td></tr>
{% else %}
<tr><td colspan="2">no audit rows</td></tr>
{% endfor %}
</table>
""",
    "observability": """
<h2>Log lines</h2>
<table><tr><th>level</th><th>service</th><th>lines</th></tr>
{% for row in logs %}
<tr><td>{{ row.level }}</td><td>{{ row.service or "—" }}</td><td>{{ row.count }}</td></tr>
{% else %}
<tr><td colspan="3">no log lines</td></tr>
{% endfor %}
</table>
<h2>Top metrics</h2>
<table><tr><th>metric</th><th>points</th></tr>
{% for row in metrics %}
<tr><td>{{ row.name }}</td><td>{{ row.points }}</td></tr>
{% else %}
<tr><td colspan="2">no metric points</td></tr>
{% endfor %}
</table>
""",
}


def _money(value: Any) -> str:
    return f"{Decimal(str(value)):.4f}"


def _costs(tx: Session, who: Principal, start: datetime, end: datetime) -> dict[str, Any]:
    by_day = costs.costs(tx, who, "day", start, end, None)
    days = []
    peak = max((Decimal(str(row.cost_usd)) for row in by_day.data), default=Decimal(0))
    for row in by_day.data:
        cost = Decimal(str(row.cost_usd))
        label = str(row.group.get("day", ""))
        days.append(
            {
                "label": label,
                "short": label[5:10],
                "cost": _money(cost),
                "height": int(120 * cost / peak) if peak else 0,
            }
        )
    groups = []
    for group_by in ("agent", "model"):
        report = costs.costs(tx, who, group_by, start, end, None)
        rows = [
            {
                "label": ", ".join(str(v) for v in row.group.values() if v is not None) or "—",
                "calls": row.calls,
                "tokens": row.usage.total_tokens,
                "cost": _money(row.cost_usd),
            }
            for row in report.data
        ]
        groups.append((group_by, rows))
    return {
        "total": _money(by_day.total.cost_usd),
        "calls": by_day.total.calls,
        "days": days,
        "groups": groups,
    }


def _runs(
    tx: Session, who: Principal, status: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    time = RunRow.end_time if status == "failed" else RunRow.update_time
    rows = tx.execute(
        select(RunRow)
        .where(RunRow.project_id == who.project(), RunRow.status == status)
        .where(time >= start, time < end)
        .order_by(time.desc())
        .limit(MAX_RUNS)
    ).scalars()
    return [
        {
            "id": run.id,
            "owner": run.automation_id or run.agent_id or "—",
            "reason": (run.error or {}).get("message") or run.stop_reason or status,
            "time": rfc3339(run.end_time or run.update_time),
        }
        for run in rows
    ]


def _audit(tx: Session, who: Principal, start: datetime, end: datetime) -> dict[str, Any]:
    audit.complete(tx, who.project())
    checked = audit.verify(tx, who.project())
    actions = Counter(
        tx.execute(
            select(AuditLogRow.action).where(
                AuditLogRow.scope_id == who.project(),
                AuditLogRow.create_time >= start,
                AuditLogRow.create_time < end,
            )
        ).scalars()
    )
    broken = checked.first_broken
    return {
        "valid": checked.valid,
        "checked": checked.checked,
        "broken": broken.get("id") if broken else None,
        "actions": sorted(actions.items(), key=lambda item: (-item[1], item[0])),
    }


def render(tx: Session, who: Principal, kind: BuiltIn, start: datetime, end: datetime) -> str:
    """The report's HTML body (a fragment: the report page adds the frame)."""
    facts: dict[str, Any]
    if kind == "costs":
        facts = _costs(tx, who, start, end)
    elif kind == "exceptions":
        facts = {
            "failed": _runs(tx, who, "failed", start, end),
            "waiting": _runs(tx, who, "waiting", start, end),
        }
    elif kind == "audit":
        facts = _audit(tx, who, start, end)
    else:
        facts = observability.summary(tx, who, start, end)
    template = _ENV.from_string(_TEMPLATES[kind])
    return template.render(**facts).strip()
