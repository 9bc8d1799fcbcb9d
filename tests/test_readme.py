"""The README stays short, states the real quickstart and CI commands, and links to pages that
exist. (Its rule table is generated: tests/test_docs.py keeps it in sync.)"""

from __future__ import annotations

import re

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = ci_script.strip().splitlines()[-1]
    assert f"```bash\n{command}\n```" in README
    assert "mkdocs build --strict" in command, "CI builds the docs site"


def test_the_readme_is_a_front_page_not_the_manual() -> None:
    assert len(README.splitlines()) <= 250


def test_the_readme_links_to_files_that_exist() -> None:
    targets = [m[1] for m in LINK.finditer(README) if "://" not in m[1]]
    assert len(targets) > 40  # the docs pages and every rule's page
    missing = [target for target in targets if not (REPO / target).exists()]
    assert not missing


def test_the_readme_links_every_rule_page() -> None:
    from archguard.rules.registry import all_rules

    for rule in all_rules():
        assert f"[{rule.code}](docs/rules/{rule.code}.md)" in README


def test_the_quickstart_states_the_real_demo_count() -> None:
    """The demo's planted set is what the README promises (tests/test_docs_commands.py runs
    the command; this pins the figure in the prose to the same number)."""
    import json

    golden = json.loads((REPO / "tests/data/golden/sample_project.json").read_text())
    count = golden["summary"]["diagnostics"]
    assert f"Found {count} findings" in README
    assert f"with {count} planted" in README
