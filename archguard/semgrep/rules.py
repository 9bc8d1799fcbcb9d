"""The semgrep rule files: archguard's own (``semgrep_rules/``) and the user's (``semgrep-rules``).

archguard's rules are found in a repository checkout (``<repo>/semgrep_rules``) first, then
inside the installed package (the wheel ships them as ``archguard/semgrep_rules``). Their
documentation lives in the registry (``archguard.rules.semgrep_backed``), so nothing here
parses archguard's YAML; the user's rule files are parsed (PyYAML, imported only then) to
learn each rule's id, code, slug and hint.

The shipped ``paths:`` globs are written for the default cpv3 layout; with another layout
(``package``, ``settings-module``, ``modules-dir``, ``tests-dir``) archguard hands semgrep a
copy whose globs follow the configuration.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archguard.diagnostics import ArchguardError
from archguard.project.config import Config
from archguard.rules.registry import Rule, all_rules

RULES_DIR_NAME = "semgrep_rules"
RULE_SUFFIXES = (".yaml", ".yml")
PROBE_FILE = "sync-database.yaml"  # a shipped rule: the folder is ours, not a namesake
SEVERITIES = {"ERROR": "error", "CRITICAL": "error", "HIGH": "error", "WARNING": "warning",
              "MEDIUM": "warning"}  # anything else (INFO, LOW, ...) is "info"
_GLOB_LINE = re.compile(r'^(?P<lead>\s*-\s*)"(?P<glob>[^"]*)"(?P<tail>\s*)$')
# AG704's pattern fragments asking an actor for each bound (rule_text drops those the
# broker's middleware already sets)
ACTOR_BOUNDS = {"max_retries": ("max_retries=$RETRIES, ..., ", ", ..., max_retries=$RETRIES"),
                "time_limit": ("time_limit=$LIMIT, ..., ", ", ..., time_limit=$LIMIT")}
# AG702's URL regex names the project's public hosts here (rule_text fills them in)
HOSTS_PLACEHOLDER = "__archguard_public_hosts__"


@dataclass(frozen=True)
class SemgrepRuleInfo:
    """What the engine needs to turn one semgrep rule's results into diagnostics."""

    rule_id: str  # semgrep's check_id (run with --no-rewrite-rule-ids)
    code: str
    slug: str
    hint: str
    severity: str
    file: Path
    builtin: bool = True
    def_line: bool = False  # a match on a decorator is reported on the `def` line
    message: str = ""  # the rule's message (custom rules: what `archguard explain` shows)


@functools.cache
def builtin_rules_dir() -> Path:
    """The shipped rule files: the repository checkout first, then the installed package."""
    checkout = Path(__file__).resolve().parents[2] / RULES_DIR_NAME  # archguard/semgrep/ -> repo
    if (checkout / PROBE_FILE).is_file():
        return checkout
    from importlib.resources import files

    installed = Path(str(files("archguard") / RULES_DIR_NAME))
    if (installed / PROBE_FILE).is_file():
        return installed
    raise ArchguardError(f"archguard's semgrep rules are missing (looked in {checkout} and "
                         f"{installed}): reinstall archguard, or run with --no-semgrep")


def semgrep_codes() -> list[str]:
    return [rule.code for rule in all_rules() if rule.engine == "semgrep"]


def builtin_rule(rule: Rule) -> SemgrepRuleInfo:
    return SemgrepRuleInfo(rule.name, rule.code, rule.name, rule.hint, rule.severity,
                           builtin_rules_dir() / f"{rule.name}.yaml",
                           def_line=bool(getattr(rule, "def_line", False)))


def selected_rules(selection: Container[str], custom: list[SemgrepRuleInfo],
                   config: Config | None = None) -> list[SemgrepRuleInfo]:
    """The semgrep rules to run: the selected built-in ones, then the selected custom ones.
    AG704 has nothing to ask when the broker bounds every actor both ways."""
    satisfied = {"AG704"} if config is not None and set(ACTOR_BOUNDS) <= set(
        config.actor_bounds or ()) else set()
    builtin = [builtin_rule(rule) for rule in all_rules()
               if rule.engine == "semgrep" and rule.code in selection
               and rule.code not in satisfied]
    return builtin + [info for info in custom if info.code in selection]


def load_custom_rules(root: Path, config: Config) -> list[SemgrepRuleInfo]:
    """The rules of every ``semgrep-rules`` entry (a folder of YAML files, or one file)."""
    found: list[SemgrepRuleInfo] = []
    for entry in config.semgrep_rules:
        for file in _rule_files(root, entry):
            found.extend(_rules_of(file))
    _check_unique(found)
    return found


def _rule_files(root: Path, entry: str) -> list[Path]:
    path = root / entry
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ArchguardError(f"semgrep-rules: '{entry}' not found in {root}")
    files = sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(path).parts))
    if not files:
        raise ArchguardError(f"semgrep-rules: no .yaml/.yml rule file in '{entry}'")
    return files


def _rules_of(file: Path) -> list[SemgrepRuleInfo]:
    import yaml

    try:
        document = yaml.load(file.read_text(encoding="utf-8"),
                             Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ArchguardError(f"{file}: not a readable semgrep rule file: "
                             f"{str(error).splitlines()[0]}") from None
    rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(rules, list) or not all(isinstance(r, dict) and r.get("id")
                                              for r in rules):
        raise ArchguardError(f"{file}: a semgrep rule file needs 'rules:', a list of rules "
                             f"with an 'id'")
    return [_custom_rule(rule, file) for rule in rules]


def _custom_rule(rule: dict[str, Any], file: Path) -> SemgrepRuleInfo:
    metadata = rule.get("metadata") if isinstance(rule.get("metadata"), dict) else {}
    rule_id = str(rule["id"])
    code = str(metadata.get("archguard-code") or rule_id).strip()
    severity = SEVERITIES.get(str(rule.get("severity", "")).upper(), "info")
    return SemgrepRuleInfo(rule_id, code, str(metadata.get("archguard-slug") or rule_id),
                           str(metadata.get("archguard-hint") or ""), severity, file,
                           builtin=False, message=" ".join(str(rule.get("message", "")).split()))


_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


def _check_code(info: SemgrepRuleInfo) -> None:
    """A custom code selects only its own rules: non-empty, one word (``--select`` splits
    at commas), and neither a prefix of a built-in code (``AG2`` would take over
    ``--ignore AG2``) nor an extension of one (``AG2015`` is selected by ``AG201``)."""
    code = info.code
    if not _CODE.match(code):
        raise ArchguardError(f"{info.file}: rule '{info.rule_id}' has the code '{code}': a "
                             f"code is a letter followed by letters, digits, '_', '.' or '-'")
    upper = code.upper()
    if upper == "ALL":
        raise ArchguardError(f"{info.file}: rule '{info.rule_id}': 'ALL' is not a code")
    for rule in all_rules():
        builtin = rule.code.upper()
        if builtin != upper and (builtin.startswith(upper) or upper.startswith(builtin)):
            raise ArchguardError(f"{info.file}: rule '{info.rule_id}' uses the code {code}, "
                                 f"which overlaps archguard's {rule.code} ({rule.name}) as a "
                                 f"prefix: pick a code of your own (e.g. 'ACME001')")


def _check_unique(custom: list[SemgrepRuleInfo]) -> None:
    registry = {rule.code.upper(): rule for rule in all_rules()}
    taken_ids = {rule.name for rule in all_rules() if rule.engine == "semgrep"}
    for info in custom:
        _check_code(info)
        if info.rule_id in taken_ids:
            raise ArchguardError(f"{info.file}: semgrep rule id '{info.rule_id}' is already "
                                 f"used by another rule: rename it")
        taken_ids.add(info.rule_id)
        clash = registry.get(info.code.upper())
        if clash is not None:
            raise ArchguardError(f"{info.file}: rule '{info.rule_id}' uses the code "
                                 f"{info.code} of archguard's rule {clash.name}: pick another")


def layout_globs(config: Config) -> dict[str, list[str]]:
    """Shipped ``paths:`` glob -> the globs for the configured (or detected) layout."""
    package = config.layout.source_prefix + config.package.replace(".", "/")
    service = (config.roles.expected("service", "tasks") or ("service.py",))[0]
    settings = config.settings_modules or [f"{package}/infrastructure/settings.py"]
    if config.db_layer is None:  # not detected (a library call): the conventional folders
        db_layer, shared = [f"**/{package}/db/**"], [f"**/{package}/infrastructure/**"]
    else:  # the db layer's globs stand for both lines
        db_layer = [f"**/{glob}" for glob in config.db_layer_globs] or ["**/.archguard-none/**"]
        shared = []
    return {
        "**/cpv3/infrastructure/settings.py": [f"**/{path}" for path in settings],
        "**/cpv3/modules/tasks/service.py": [f"**/{config.modules_dirs[0]}/tasks/{service}"],
        "**/cpv3/db/**": db_layer,
        "**/cpv3/infrastructure/**": shared,
        "**/tests/**": [f"**/{config.tests_dir.strip('/')}/**"],
    }


_SHIPPED = {
    "**/cpv3/infrastructure/settings.py": ["**/cpv3/infrastructure/settings.py"],
    "**/cpv3/modules/tasks/service.py": ["**/cpv3/modules/tasks/service.py"],
    "**/cpv3/db/**": ["**/cpv3/db/**"],
    "**/cpv3/infrastructure/**": ["**/cpv3/infrastructure/**"],
    "**/tests/**": ["**/tests/**"],
}


def public_hosts_regex(config: Config) -> str:
    """The alternation AG702's URL regex gets for the project's public hosts."""
    return "|".join(re.escape(host.strip().strip(".").lower()) for host in config.public_hosts)


def rule_text(info: SemgrepRuleInfo, config: Config) -> bytes:
    """The rule file as semgrep gets it: shipped globs follow the configured layout, and
    the public hosts take the place of their placeholder."""
    data = info.file.read_bytes()
    if not needs_copy(info, config):
        return data
    globs = layout_globs(config)
    lines = data.decode("utf-8").splitlines(keepends=True)
    text = "".join(_relayout(line, globs) for line in lines)
    hosts = public_hosts_regex(config)
    if hosts:
        text = text.replace(HOSTS_PLACEHOLDER, hosts)
    for bound in config.actor_bounds or ():
        for fragment in ACTOR_BOUNDS.get(bound, ()):
            text = text.replace(fragment, "")
    return text.encode("utf-8")


def _relayout(line: str, globs: dict[str, list[str]]) -> str:
    match = _GLOB_LINE.match(line.rstrip("\n"))
    if match is None or match["glob"] not in globs:
        return line
    ending = "\n" if line.endswith("\n") else ""
    return "".join(f'{match["lead"]}"{glob}"{match["tail"]}{ending}'
                   for glob in globs[match["glob"]])


def needs_copy(info: SemgrepRuleInfo, config: Config) -> bool:
    return info.builtin and (layout_globs(config) != _SHIPPED or bool(config.public_hosts)
                            or bool(config.actor_bounds))


def rules_fingerprint(rules: list[SemgrepRuleInfo], config: Config, version: str) -> str:
    """Changes when semgrep, a rule file or the layout changes (cache keys)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{version}\n{sorted(layout_globs(config).items())}\n"
                  f"{public_hosts_regex(config)}\n{sorted(config.actor_bounds or ())}\n"
                  .encode())
    for info in rules:
        try:
            data = info.file.read_bytes()
        except OSError as error:
            raise ArchguardError(f"cannot read semgrep rule file {info.file}: "
                                 f"{error.strerror}") from None
        digest.update(f"{info.rule_id}\0{info.code}\0{info.file.name}\0".encode())
        digest.update(hashlib.blake2b(data, digest_size=16).digest())
    return digest.hexdigest()
