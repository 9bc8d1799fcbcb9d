"""The generated parts of the docs match the code: every rule's page, the rule tables, the
mkdocs nav and the configuration reference (every key documented, every example valid)."""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from pathlib import Path

import pytest

from archguard.project.config import Config, load_config_table, setting
from archguard.project.reference import documented_keys
from archguard.rules.docs import RULE_PAGES_DIR, expected_files, stale_rule_pages, sync_docs
from archguard.rules.registry import all_rules
from conftest import REPO
from docs_blocks import blocks

REGENERATE = "run: python -m archguard.rules.docs"


def test_generated_docs_match_the_rule_classes_and_the_config() -> None:
    stale = [str(path.relative_to(REPO)) for path, content in expected_files(REPO).items()
             if not path.exists() or path.read_text(encoding="utf-8") != content]
    assert not stale, f"{REGENERATE} (stale: {', '.join(stale)})"
    assert not stale_rule_pages(REPO), REGENERATE


def test_rule_pages_fill_the_hints_placeholders() -> None:
    """A hint worded from the configuration reads with the default layout on its page, as
    in `explain` (`{settings_module}` -> `cpv3/infrastructure/settings.py`)."""
    import re

    from archguard.rules.docs import rule_page

    for rule in all_rules():
        page = rule_page(rule)
        fix = page.split("## Fix", 1)[1].split("## Configure", 1)[0] if "## Fix" in page else ""
        assert not re.search(r"\{[a-z_]+\}", fix), rule.code
    assert "cpv3/infrastructure/settings.py" in rule_page(
        next(r for r in all_rules() if r.code == "AG703"))


def test_one_page_per_rule(tmp_path: Path) -> None:
    pages = sorted(p.name for p in (REPO / RULE_PAGES_DIR).glob("AG*.md"))
    assert pages == sorted(f"{rule.code}.md" for rule in all_rules())
    page = (REPO / RULE_PAGES_DIR / "AG202.md").read_text(encoding="utf-8")
    rule = next(r for r in all_rules() if r.code == "AG202")
    for text in (rule.summary, rule.rulebook, rule.hint, rule.good.strip()):
        assert text in page


def test_sync_rewrites_a_stale_page_and_deletes_a_removed_rule_s(tmp_path: Path) -> None:
    from archguard.rules.docs import GENERATED_BLOCKS

    for name in GENERATED_BLOCKS:  # the files holding generated blocks
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text((REPO / name).read_text(encoding="utf-8"))
    (tmp_path / "docs/rules/AG999.md").write_text("a rule that is gone\n")
    (tmp_path / "docs/rules/layers.md").write_text("hand-written, kept\n")
    changed = sync_docs(tmp_path)
    assert tmp_path / "docs/rules/AG999.md" in changed
    assert not (tmp_path / "docs/rules/AG999.md").exists()
    assert (tmp_path / "docs/rules/layers.md").exists()
    assert (tmp_path / "docs/rules/AG201.md").exists()
    assert sync_docs(tmp_path) == []


def leaf_keys(cls: type, prefix: str = "") -> list[str]:
    """Every TOML key the loader accepts, dotted below a nested table."""
    hints = typing.get_type_hints(cls)
    names = []
    for item in dataclasses.fields(cls):
        name = prefix + item.name.replace("_", "-")
        nested = hints[item.name]
        names += leaf_keys(nested, f"{name}.") if dataclasses.is_dataclass(nested) else [name]
    return names


def test_every_config_key_is_in_the_reference() -> None:
    reference = (REPO / "docs/configuration.md").read_text(encoding="utf-8")
    keys = leaf_keys(Config)
    assert [key.name for key in documented_keys()] == keys
    assert {"package", "roles.router", "style.max-function-lines", "semgrep-timeout"} <= set(keys)
    for name in keys:
        assert f"| `{name}` |" in reference


def test_a_field_without_documentation_fails_the_reference() -> None:
    @dataclasses.dataclass(frozen=True)
    class Undocumented:
        documented: int = setting(1, "a documented key", "2")
        bare: int = 3

    with pytest.raises(ValueError, match="'bare' has no doc"):
        list(documented_keys(Undocumented))


@pytest.mark.parametrize("key", list(documented_keys()), ids=lambda key: key.name)
def test_every_example_in_the_reference_is_a_valid_value(key) -> None:
    *tables, name = key.name.split(".")
    header = ".".join(["tool", "archguard", *tables])
    document = tomllib.loads(f"[{header}]\n{name} = {key.example}\n")
    config = load_config_table(document["tool"]["archguard"], "example")
    value = config
    for part in key.name.split("."):
        value = getattr(value, part.replace("-", "_"))
    assert value == tomllib.loads(f"x = {key.example}")["x"]


def archguard_toml_blocks() -> list:
    paths = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    return [block for path in paths for block in blocks(path)
            if block.language == "toml" and "[tool.archguard" in block.text]


@pytest.mark.parametrize("block", archguard_toml_blocks(), ids=lambda block: block.id)
def test_every_configuration_example_in_the_docs_loads(block) -> None:
    table = tomllib.loads(block.text)["tool"]["archguard"]
    assert isinstance(load_config_table(table, block.id), Config)


def test_the_graph_shown_in_the_docs_is_the_demo_s() -> None:
    """layers.md shows `archguard graph` of the demo; tests/data/golden/sample_project.mmd is
    that output, byte for byte (tests/test_sample_project.py checks the golden file)."""
    page = (REPO / "docs/rules/layers.md").read_text(encoding="utf-8")
    (mermaid,) = [block.text + "\n" for block in blocks(REPO / "docs/rules/layers.md")
                  if block.language == "mermaid"]
    assert mermaid == (REPO / "tests/data/golden/sample_project.mmd").read_text(encoding="utf-8")
    assert "archguard graph" in page
