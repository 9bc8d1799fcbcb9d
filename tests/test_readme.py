"""The README stays in sync with the registry and states the real quickstart commands."""

from __future__ import annotations

from conftest import REPO

from archguard.rules.docs import README_BLOCKS, generated_block

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_generated_blocks_match_the_registry() -> None:
    for name in README_BLOCKS:
        block = f"<!-- {name}:start -->\n{generated_block(name)}\n<!-- {name}:end -->"
        assert block in README, f"run: python -m archguard.rules.docs README.md ({name} is stale)"


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = ci_script.strip().splitlines()[-1]
    assert f"```bash\n{command}\n```" in README
