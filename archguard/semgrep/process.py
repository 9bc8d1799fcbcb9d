"""semgrep as a second engine: one offline subprocess, its JSON turned into ``Diagnostic``s.

The process is started before the native pass and waited for after it, so the two overlap.
Its output goes to a file in a private temporary folder (a pipe could fill up while nobody
reads it); the same folder holds whatever semgrep would write to ``~/.semgrep``.

Offline by construction: ``--metrics=off``, ``--disable-version-check``, only local rule
files as ``--config`` (never a registry name), ``SEMGREP_ENABLE_VERSION_CHECK=0`` and
``SEMGREP_SEND_METRICS=off``, and no ``SEMGREP_APP_TOKEN`` in its environment.

``--experimental`` selects semgrep's native CLI (osemgrep) instead of the Python one it
otherwise re-executes: the same engine and results, 1-4 s less start-up per run.

Failures are errors, never a silent pass: semgrep missing, a non-zero exit, a run longer
than ``semgrep-timeout``, an error-level entry in ``errors[]`` (a rule that does not parse)
and a per-file timeout. Target parse errors (warn level) are ignored: AG000 reports syntax
errors of package files natively, and semgrep still matches the parts it could parse.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from archguard.semgrep import binary
from archguard.analysis.facts import LineColumns, Span
from archguard.diagnostics import ArchguardError, Diagnostic
from archguard.semgrep.rules import SemgrepRuleInfo

TEMP_PREFIX = "archguard-semgrep-"  # the private folder of one run
PER_FILE_TIMEOUT_S = 30  # semgrep's per-rule, per-file limit (its default is 5 s)
OFFLINE_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
DROPPED_ENV = ("SEMGREP_APP_TOKEN",)
IGNORED_ERROR_TYPES = ("Syntax error", "Lexical error", "Other syntax error",
                       "PartialParsing")  # the target's problem: AG000 covers package files


def scan_command(executable: str, rule_files: Iterable[Path], targets: Iterable[str],
                 ) -> list[str]:
    """Explicit relative targets from the project root: semgrep's ignore lists (which skip
    ``tests/``) apply only to folders it walks, and rule ``paths:`` match these paths."""
    command = [executable, "scan", "--experimental", "--json", "--quiet", "--metrics=off",
               "--disable-version-check", "--no-rewrite-rule-ids", "--project-root", ".",
               "--timeout", str(PER_FILE_TIMEOUT_S)]
    for rule_file in rule_files:
        command += ["--config", str(rule_file)]
    return command + list(targets)


def semgrep_env(workdir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
    env.update(OFFLINE_ENV)
    env.update(XDG_CONFIG_HOME=str(workdir), SEMGREP_SETTINGS_FILE=str(workdir / "settings.yml"),
               SEMGREP_LOG_FILE=str(workdir / "semgrep.log"))
    return env


@dataclass
class SemgrepProcess:
    """One semgrep run in the background: ``start``, other work, ``wait``, ``close``."""

    root: Path
    timeout_s: float
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix=TEMP_PREFIX)))
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0

    def start(self, rule_files: list[Path], targets: list[str]) -> None:
        command = scan_command(binary.find_semgrep(), rule_files, targets)
        with open(self.workdir / "out.json", "wb") as out, \
                open(self.workdir / "err.txt", "wb") as err:
            self.process = launch(command, self.root, semgrep_env(self.workdir), out, err)
        self.started = time.monotonic()

    def wait(self) -> dict[str, Any]:
        """semgrep's JSON report; an ArchguardError when the run failed in any way."""
        assert self.process is not None
        remaining = self.timeout_s - (time.monotonic() - self.started)
        try:
            code = self.process.wait(timeout=max(remaining, 0.01))
        except subprocess.TimeoutExpired:
            self.kill()
            raise ArchguardError(
                f"semgrep did not finish within {self.timeout_s:g} s: raise 'semgrep-timeout' "
                f"in [tool.archguard], or run with --no-semgrep") from None
        return read_report(code, self.workdir / "out.json", self.workdir / "err.txt")

    def finished(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:  # its own session: semgrep and any helper it started
                os.killpg(self.process.pid, signal.SIGKILL)
            except (OSError, AttributeError):
                self.process.kill()
            self.process.wait()

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def launch(command: list[str], cwd: Path, env: dict[str, str], out: IO[bytes],
           err: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start semgrep (a seam for tests: they replace it to prove it is not started)."""
    try:
        return subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, start_new_session=os.name != "nt")
    except OSError as error:
        raise ArchguardError(f"cannot start semgrep ({command[0]}): "
                             f"{error.strerror or error}") from None


def read_report(code: int, out_file: Path, err_file: Path) -> dict[str, Any]:
    try:
        report = json.loads(out_file.read_bytes() or b"null")
    except ValueError:
        report = None
    if isinstance(report, dict):
        check_errors(report.get("errors") or [])
    if code != 0 or not isinstance(report, dict):
        raise ArchguardError(f"semgrep failed (exit code {code}): {_stderr_line(err_file)}")
    return report


def check_errors(errors: list[dict[str, Any]]) -> None:
    """Rule errors and per-file timeouts fail the run; target parse errors do not."""
    serious = [e for e in errors if isinstance(e, dict) and _is_serious(e)]
    if not serious:
        return
    first = serious[0]
    where = f" in rule '{first['rule_id']}'" if first.get("rule_id") else ""
    if first.get("path"):
        where += f" on {first['path']}"
    message = " ".join(str(first.get("message", "")).split())
    more = f" (and {len(serious) - 1} more)" if len(serious) > 1 else ""
    raise ArchguardError(f"semgrep reported {_error_type(first).lower()}{where}: "
                         f"{message[:300]}{more}")


def _is_serious(error: dict[str, Any]) -> bool:
    kind = _error_type(error)
    if "timeout" in kind.lower():
        return True
    return error.get("level") == "error" and kind not in IGNORED_ERROR_TYPES


def _error_type(error: dict[str, Any]) -> str:
    kind = error.get("type", "error")
    if isinstance(kind, list):  # e.g. ["PartialParsing", [spans]]
        kind = kind[0] if kind else "error"
    return str(kind)


def _stderr_line(err_file: Path) -> str:
    try:
        lines = err_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    useful = [line.strip() for line in lines if line.strip() and "[WARNING]" not in line]
    return useful[-1][:300] if useful else "no error message"


# --- semgrep JSON -> diagnostics --------------------------------------------------------

def diagnostics_by_path(report: Mapping[str, Any], rules: Mapping[str, SemgrepRuleInfo],
                        root: Path) -> dict[str, list[Diagnostic]]:
    """Every result as a Diagnostic, grouped by project-relative path."""
    sources = _Sources(root)
    found: dict[str, list[Diagnostic]] = {}
    for result in report.get("results") or []:
        rule = rules.get(str(result.get("check_id")))
        if rule is None:
            raise ArchguardError(f"semgrep reported unknown rule '{result.get('check_id')}'")
        diagnostic = to_diagnostic(result, rule, sources)
        found.setdefault(diagnostic.path, []).append(diagnostic)
    return found


def to_diagnostic(result: Mapping[str, Any], rule: SemgrepRuleInfo, sources: _Sources,
                  ) -> Diagnostic:
    path = normal_path(str(result["path"]))
    start, end = result["start"], result["end"]
    span = sources.span(path, int(start["line"]), int(start["col"]), int(end["line"]),
                        int(end["col"]), rule.def_line)
    extra = result.get("extra") or {}
    message, rest = first_sentence(" ".join(str(extra.get("message") or rule.slug).split()))
    return Diagnostic(path=path, line=span.line, column=span.column, code=rule.code,
                      rule=rule.slug, message=message, end_line=span.end_line,
                      end_column=span.end_column, hint=rule.hint or rest,
                      severity=rule.severity)


def first_sentence(text: str) -> tuple[str, str]:
    """(the first sentence, the rest): a semgrep message is often a paragraph of advice,
    which the rule's hint (shown once per run) already gives. A period ends a sentence when
    a capital letter follows, outside `code spans`, and not in "e.g." or "i.e."."""
    in_code = False
    for index, char in enumerate(text):
        if char == "`":
            in_code = not in_code
        elif char in ".!?" and not in_code and text[index + 1:index + 2] == " " \
                and text[index + 2:index + 3].isupper() \
                and not text[:index + 1].endswith(("e.g.", "i.e.")):
            return text[:index + 1], text[index + 2:]
    return text, ""


def normal_path(path: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


class _Sources:
    """Files read on demand: semgrep columns count bytes, archguard's count characters;
    and a function-level match on a decorator moves to its ``def`` line."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.texts: dict[str, str] = {}

    def text(self, path: str) -> str:
        if path not in self.texts:
            try:
                self.texts[path] = (self.root / path).read_bytes().decode("utf-8", "replace")
            except OSError:
                self.texts[path] = ""
        return self.texts[path]

    def span(self, path: str, line: int, col: int, end_line: int, end_col: int,
             def_line: bool) -> Span:
        text = self.text(path)
        if def_line and text:
            header = decorated_header(text, line, col)
            if header is not None:
                return header
        columns = LineColumns(text)
        return Span(line, columns.column(line, col - 1), end_line,
                    columns.column(end_line, end_col - 1))


def decorated_header(text: str, line: int, col: int) -> Span | None:
    """The ``def``/``class`` line of the definition whose decorator starts at (line, col)."""
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and any(
                d.lineno == line and d.col_offset == col - 1 for d in node.decorator_list):
            return LineColumns(text).header_span(node)
    return None
