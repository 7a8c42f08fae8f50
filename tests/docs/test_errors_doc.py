"""docs/errors.md lists every problem code kanri raises, with its status, and every code
of a field error that kanri's own code writes."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re

import kanri
from kanri.core.errors import KanriError
from tests.docs.conftest import ROOT

PAGE = ROOT / "docs" / "errors.md"
SOURCE = ROOT / "src" / "kanri"


def _error_classes() -> set[type[KanriError]]:
    for module in pkgutil.walk_packages(kanri.__path__, "kanri."):
        importlib.import_module(module.name)
    found: set[type[KanriError]] = set()
    pending = [KanriError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


def _documented(section: str) -> dict[str, str]:
    """`code → second column` of the table under the `## section` heading."""
    text = PAGE.read_text().split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) > 1:
            for code in re.findall(r"`([A-Za-z_]+)`", cells[0]):
                rows[code] = cells[1]
    return rows


def _field_codes() -> dict[str, str]:
    """The literal codes of `FieldError(field, message, code)` and of records' `Invalid(code,
    message)` in the source, each with a file that writes it."""
    codes: dict[str, str] = {}
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            code: ast.expr | None = None
            if name == "FieldError":
                keyword = next((k.value for k in node.keywords if k.arg == "code"), None)
                code = node.args[2] if len(node.args) > 2 else keyword
            elif name == "Invalid" and node.args:
                code = node.args[0]
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                codes.setdefault(code.value, str(path.relative_to(ROOT)))
    return codes


def test_every_problem_code_is_listed_with_its_status() -> None:
    listed = _documented("Problem codes")
    raised = {cls.code: str(cls.status) for cls in _error_classes()}
    assert {code: listed.get(code) for code in raised} == raised
    assert set(listed) == set(raised), "the page lists codes kanri no longer has"


def test_every_field_error_code_is_listed() -> None:
    listed = _documented("Field error codes")
    missing = {code: path for code, path in _field_codes().items() if code not in listed}
    assert missing == {}
    assert set(listed) - set(_field_codes()) == set(), "the page lists codes kanri no longer has"
