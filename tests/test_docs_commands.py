"""Every command shown in the README and the docs site runs, and prints what the page says.

The blocks and their markers are described in tests/docs_blocks.py. Each block runs in a
fresh folder made by one of the SETUPS below, with this test run's archguard first on PATH,
the semgrep engine on and colour off; the temporary folder's path prints as ``/tmp``.

``ARCHGUARD_DOCS_UPDATE=1 python -m pytest tests/test_docs_commands.py`` writes the real
output into the console blocks that differ (see tests/docs_blocks.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE, semgrep_env
from docs_blocks import (
    Block,
    console_steps,
    console_text,
    output_matches,
    rewrite_block,
    script_commands,
    shell_blocks,
    uses_ellipsis,
)

DOC_FILES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
BLOCKS = shell_blocks(DOC_FILES)
STEP = "@@docs-test-step@@"
UPDATE = os.environ.get("ARCHGUARD_DOCS_UPDATE") == "1"
GIT = ["git", "-c", "user.name=docs", "-c", "user.email=docs@example.com",
       "-c", "init.defaultBranch=main"]


def copy_sample(target: Path) -> Path:
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".archguard_cache"))
    return target


def demo(tmp: Path) -> Path:
    """A copy of sample_project/ (the planted findings), as ``/tmp/demo``."""
    return copy_sample(tmp / "demo")


def repository(tmp: Path) -> Path:
    """A copy of this repository's files (those git does not ignore) with its .venv, as
    ``/tmp/archguard``."""
    target = tmp / "archguard"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=REPO, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    (target / ".venv").symlink_to(sys.prefix)
    return target


def git_repo(tmp: Path) -> Path:
    """The demo as a git repository whose origin/main is its one commit, plus one change."""
    root = demo(tmp)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "demo"],
                    ["update-ref", "refs/remotes/origin/main", "HEAD"]):
        subprocess.run([*GIT, *command], cwd=root, check=True)
    service = root / "cpv3/modules/system/service.py"
    service.write_text(service.read_text(encoding="utf-8")
                       + "\n\nfrom .schemas import SystemStatus\n", encoding="utf-8")
    return root


def stale_baseline(tmp: Path) -> Path:
    """The demo with a baseline recorded, then its AG202 finding fixed."""
    root = demo(tmp)
    subprocess.run(["archguard", "baseline"], cwd=root, env=environment(), check=True,
                   capture_output=True)
    service = root / "cpv3/modules/projects/service.py"
    text = service.read_text(encoding="utf-8")
    planted = "from cpv3.modules.users.repository import UserRepository  # expect: AG202\n"
    assert planted in text
    service.write_text(text.replace(planted, "from cpv3.modules.users.repository import "
                                    "UserRepository  # archguard: ignore[AG202]\n"),
                       encoding="utf-8")
    return root


CUSTOM_RULES = """\
rules:
  - id: no-print
    languages: [python]
    severity: WARNING
    message: print() in application code; log with the module's logger instead
    pattern: print(...)
    paths:
      exclude: ["**/tests/**"]
  - id: no-breakpoint
    languages: [python]
    severity: ERROR
    message: breakpoint() left in the code
    pattern: breakpoint()
    metadata:
      archguard-code: XY101            # optional: the code archguard reports
      archguard-slug: leftover-breakpoint
      archguard-hint: delete the breakpoint() call
"""


def custom_rules(tmp: Path) -> Path:
    """The demo with the semgrep rule file of docs/rules/semgrep.md and two offending lines."""
    root = demo(tmp)
    (root / "tools/semgrep").mkdir(parents=True)
    (root / "tools/semgrep/style.yaml").write_text(CUSTOM_RULES, encoding="utf-8")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8")
                         + '\n[tool.archguard]\nsemgrep-rules = ["tools/semgrep"]\n',
                         encoding="utf-8")
    service = root / "cpv3/modules/users/service.py"
    service.write_text(service.read_text(encoding="utf-8")
                       + "\n\ndef debug_dump(value: object) -> None:\n"
                       "    print(value)\n    breakpoint()\n", encoding="utf-8")
    return root


SHOP_MODULES = {"billing": "endpoints.py", "carts": "endpoints.py", "orders": "endpoints.py",
                "users": "routes.py"}


def shop(tmp: Path) -> Path:
    """A project that names things its own way: package shop, crud.py, services.py,
    endpoints.py (one module says routes.py), a Schema base, no settings module."""
    root = tmp / "shop"
    files = {"shop/__init__.py": "", "shop/modules/__init__.py": "",
             "shop/common/__init__.py": "",
             "shop/common/schemas.py": "from __future__ import annotations\n\n"
                                       "from pydantic import BaseModel\n\n\n"
                                       "class Schema(BaseModel):\n    pass\n"}
    for module, router in SHOP_MODULES.items():
        for name in ("__init__.py", "models.py", "schemas.py", "crud.py", "services.py", router):
            files[f"shop/modules/{module}/{name}"] = ""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


SETUPS: dict[str, Callable[[Path], Path]] = {
    "demo": demo, "repository": repository, "git": git_repo, "stale-baseline": stale_baseline,
    "custom-rules": custom_rules, "shop": shop,
}


def environment() -> dict[str, str]:
    env = semgrep_env()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    # COLUMNS would wrap source excerpts; the pages show piped output, which never wraps
    for name in ("ARCHGUARD_CACHE_DIR", "FORCE_COLOR", "VIRTUAL_ENV", "COLUMNS"):
        env.pop(name, None)
    return env


def run_console(block: Block, cwd: Path, tmp: Path, update: bool = UPDATE) -> None:
    steps = console_steps(block.text)
    script = ["exec 2>&1"]
    for command, _ in steps:
        script += [command, f"__rc=$?; printf '\\n{STEP}\\n'; (exit $__rc)"]
    result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, env=environment(),
                            capture_output=True, text=True, timeout=300)
    outputs = result.stdout.replace(str(tmp), "/tmp").split(f"\n{STEP}\n")
    mismatches = [(command, expected, actual)
                  for (command, expected), actual in zip(steps, outputs, strict=False)
                  if not output_matches(expected, actual)]
    if mismatches and update:
        update_console_block(block, steps, outputs)
        return
    for command, expected, actual in mismatches[:1]:
        raise AssertionError(
            f"{block.id}: '$ {command}' printed:\n{actual}\n--- the page says:\n{expected}")


def update_console_block(block: Block, steps: list[tuple[str, str]], outputs: list[str]) -> None:
    """ARCHGUARD_DOCS_UPDATE=1: write the real outputs into the page, unless the block
    uses ``...`` lines (which the real output cannot fill in)."""
    assert not uses_ellipsis(block.text), (
        f"{block.id}: the output differs and the block uses '...' lines, which the update "
        f"mode keeps: fix it by hand (run without ARCHGUARD_DOCS_UPDATE to see the diff)")
    new_steps = []
    for (command, _), actual in zip(steps, outputs, strict=False):
        shown = actual.removesuffix("\n")
        assert output_matches(shown, actual) and not any(
            line == "..." or line.startswith("$ ") for line in shown.splitlines()), (
            f"{block.id}: '$ {command}' printed output a console block cannot show "
            f"(a '...' or '$ ' line, or trailing blank lines): fix it by hand")
        new_steps.append((command, shown))
    rewrite_block(block, console_text(new_steps))
    warnings.warn(f"{block.id}: rewritten with the real output; read the diff", stacklevel=2)


def run_script(block: Block, cwd: Path) -> None:
    for command in script_commands(block.text):
        result = subprocess.run(["bash", "-c", command], cwd=cwd, env=environment(),
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (
            f"{block.id}: '{command}' exited {result.returncode}:\n{result.stdout}{result.stderr}")


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_command_block_runs_as_shown(block: Block, tmp_path: Path) -> None:
    if block.skip_reason is not None:
        assert block.skip_reason, f"{block.id}: say why the block is not run"
        pytest.skip(block.skip_reason)
    assert block.setup in SETUPS, f"{block.id}: unknown setup '{block.setup}'"
    cwd = SETUPS[block.setup](tmp_path)
    if block.language == "console":
        run_console(block, cwd, tmp_path)
    else:
        run_script(block, cwd)


UPDATE_PAGE = """\
# A page

<!-- docs-test: setup=demo -->
```console
$ echo one
two
$ printf 'a\\nb\\n'
a
b
```

- a list item whose block is indented:

  ```console
  $ echo three
  four
  ```

<!-- docs-test: setup=demo -->
```console
$ echo five
...
six
```
"""


def test_update_mode_rewrites_a_differing_block_and_keeps_an_ellipsis_block(
        tmp_path: Path) -> None:
    from docs_blocks import blocks

    page = tmp_path / "page.md"
    page.write_text(UPDATE_PAGE, encoding="utf-8")
    first, indented, ellipsis = blocks(page)
    for block in (first, indented):
        with pytest.raises(AssertionError, match="printed"):
            run_console(block, tmp_path, tmp_path, update=False)
        with pytest.warns(UserWarning, match="rewritten"):
            run_console(block, tmp_path, tmp_path, update=True)
    text = page.read_text(encoding="utf-8")
    assert text == (UPDATE_PAGE.replace("$ echo one\ntwo\n", "$ echo one\none\n")
                    .replace("  $ echo three\n  four\n", "  $ echo three\n  three\n"))
    for block in blocks(page)[:2]:  # now they pass as they are
        run_console(block, tmp_path, tmp_path, update=False)
    with pytest.raises(AssertionError, match=r"uses '\.\.\.' lines.*fix it by hand"):
        run_console(ellipsis, tmp_path, tmp_path, update=True)
    assert page.read_text(encoding="utf-8") == text


def test_every_page_shows_commands_only_in_blocks_the_tests_know() -> None:
    """A shell prompt in a text block would escape the test: commands go in console blocks."""
    from docs_blocks import blocks

    for path in DOC_FILES:
        for block in blocks(path):
            if block.language not in ("console", "bash", "sh", "shell"):
                assert not any(line.startswith("$ ") for line in block.text.splitlines()), (
                    f"{block.id}: a '$ ' command in a {block.language or 'plain'} block: "
                    f"use a console block")


def test_the_custom_rules_example_is_the_page_s() -> None:
    assert CUSTOM_RULES in (REPO / "docs/rules/semgrep.md").read_text(encoding="utf-8")


def ci_commands() -> list[str]:
    """The archguard commands of docs/ci.md's GitHub, GitLab and pre-commit examples."""
    import yaml

    from docs_blocks import blocks

    commands = []
    for block in blocks(REPO / "docs/ci.md"):
        if block.language != "yaml":
            continue
        document = yaml.safe_load(block.text)
        for job in (document.get("jobs") or {}).values():  # GitHub Actions
            commands += [step["run"] for step in job["steps"] if "run" in step]
        commands += (document.get("archguard") or {}).get("script", [])  # GitLab CI
        for repo in document.get("repos", []):  # pre-commit, local hook
            commands += [hook["entry"] for hook in repo["hooks"] if "entry" in hook]
    return [command for command in commands if command.startswith("archguard ")]


CI_COMMANDS = ci_commands()


def test_the_ci_examples_have_commands() -> None:
    assert len(CI_COMMANDS) == 5


@pytest.mark.parametrize("command", CI_COMMANDS)
def test_ci_example_command_gates_the_demo(command: str, tmp_path: Path) -> None:
    """On the demo (43 findings) a gate exits 1, an --exit-zero report step 0 and writes its
    report."""
    root = demo(tmp_path)
    result = subprocess.run(["bash", "-c", command], cwd=root, env=environment(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == (0 if "--exit-zero" in command else 1), result.stderr
    if "--output-file" in command:
        report = root / command.split("--output-file ")[1].split()[0]
        assert "AG201" in report.read_text(encoding="utf-8")
    else:
        assert "AG201" in result.stdout
