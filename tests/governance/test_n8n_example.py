"""The n8n example workflow calls routes that exist, with bodies kanri accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

EXAMPLE = Path(__file__).parents[2] / "examples" / "n8n-governed-workflow.json"


def test_every_http_node_of_the_example_calls_a_kanri_route(app: FastAPI) -> None:
    workflow = json.loads(EXAMPLE.read_text())
    routes = [
        (method, re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", route.path) + "$"))
        for route in (c.original_route for c in iter_route_contexts(app.routes))
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    ]
    calls = []
    for node in workflow["nodes"]:
        if node["type"] != "n8n-nodes-base.httpRequest":
            continue
        url = node["parameters"]["url"].removeprefix("={{ $env.KANRI_URL }}")
        path = re.sub(r"\{\{.*?\}\}", "x", url)
        method = node["parameters"]["method"]
        assert any(m == method and p.match(path) for m, p in routes), (method, path)
        calls.append((method, path))
    assert ("POST", "/v1/governance/pre-check") in calls
    assert ("POST", "/v1/external-executions/x/request-approval") in calls
    assert ("GET", "/v1/approvals/x") in calls
    names = {node["name"] for node in workflow["nodes"]}
    for source, outputs in workflow["connections"].items():
        assert source in names
        assert all(link["node"] in names for branch in outputs["main"] for link in branch)
