"""kanri's own import-linter contract type (`make lint` runs it with the others).

`feature_seams` reads the source itself, since the import graph import-linter builds knows
modules, not names or where in a module an import sits:

- no module imports a private name (`_x`) from another top-level package of kanri;
- no import of a kanri module sits inside a function body unless the comment right above it
  says why (an optional dependency, start-up cost).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from importlinter import Contract, ContractCheck, fields, output


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path, source_root: Path) -> str:
    parts = list(path.relative_to(source_root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _problems(path: Path, module: str) -> list[str]:
    text = path.read_text()
    lines = text.splitlines()
    tree = ast.parse(text)
    found: list[str] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                target = child.module
                if target.startswith("kanri.") and _top(target) != _top(module):
                    for alias in child.names:
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            found.append(
                                f"{module}:{child.lineno} imports the private name "
                                f"{alias.name} from {target}"
                            )
            if (
                in_function
                and isinstance(child, ast.Import | ast.ImportFrom)
                and _names_kanri(child)
                and not lines[child.lineno - 2].strip().startswith("#")
                and not _commented_block(lines, child.lineno)
            ):
                found.append(
                    f"{module}:{child.lineno} imports inside a function without a comment "
                    "saying why"
                )
            visit(child, inside)

    visit(tree, False)
    return found


def _names_kanri(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").startswith("kanri")
    return any(alias.name.startswith("kanri") for alias in node.names)


def _commented_block(lines: list[str], lineno: int) -> bool:
    """True when the imports just above this one start with an explaining comment."""
    index = lineno - 2
    while index >= 0 and (
        not lines[index].strip() or lines[index].strip().startswith(("import ", "from "))
    ):
        index -= 1
    return index >= 0 and lines[index].strip().startswith("#")


class FeatureSeamsContract(Contract):
    type_name = "feature_seams"

    source_root = fields.StringField()

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        root = Path(str(self.source_root))
        problems: list[str] = []
        for path in sorted(root.rglob("*.py")):
            if "alembic" in path.parts:
                continue
            problems += _problems(path, _module_name(path, root))
        return ContractCheck(kept=not problems, metadata={"problems": problems})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for problem in check.metadata["problems"]:
            output.print_error(f"- {problem}")
            output.new_line()
