"""docs/configuration.md and docs/steps.md are what the code makes of them now, and every
setting, step kind and step field they list says what it is for."""

from __future__ import annotations

import re
from pathlib import Path

from tools import gen_docs

from kanri.config import Settings
from tests.docs.conftest import ROOT

# Variables the docs name that are not kanri's settings: a client's (the examples, n8n)
# and the test suite's.
CLIENT_VARIABLES = {"KANRI_URL", "KANRI_KEY"}
_NAME = re.compile(r"\bKANRI_[A-Z][A-Z0-9_]*[A-Z0-9]\b")


def test_the_generated_pages_are_up_to_date() -> None:
    assert gen_docs.stale() == [], "run `make docs` and commit the pages"


def test_every_setting_and_step_field_has_a_description() -> None:
    assert gen_docs.undocumented_settings() == []
    assert gen_docs.undocumented_step_fields() == []


def test_every_variable_kanri_reads_is_on_the_configuration_page() -> None:
    page = gen_docs.CONFIGURATION.read_text()
    read = {f"KANRI_{name.upper()}" for name in Settings.model_fields}
    for path in (ROOT / "src" / "kanri").rglob("*.py"):
        read |= set(_NAME.findall(path.read_text()))
    missing = sorted(name for name in read if f"`{name}`" not in page)
    assert missing == []


def test_the_docs_name_only_variables_that_exist() -> None:
    known = {f"KANRI_{name.upper()}" for name in Settings.model_fields}
    known |= {name for name, *_ in gen_docs.OUTSIDE_SETTINGS} | CLIENT_VARIABLES
    known |= {name for name, *_ in gen_docs.CLIENT_SETTINGS}
    pages: list[Path] = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    unknown = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in pages
        for name in _NAME.findall(path.read_text())
        if name not in known and not name.startswith("KANRI_TEST_")
    }
    assert sorted(unknown) == []


def test_a_stale_or_missing_page_is_reported(tmp_path: Path) -> None:
    edited, missing, current = tmp_path / "edited.md", tmp_path / "missing.md", tmp_path / "ok.md"
    edited.write_text(gen_docs.configuration().replace("KANRI_PORT", "KANRI_PORTS"))
    current.write_text(gen_docs.configuration())
    pages = {
        edited: gen_docs.configuration,
        missing: gen_docs.steps,
        current: gen_docs.configuration,
    }
    assert gen_docs.stale(pages) == [edited, missing]
