"""semgrep as a second engine: one offline subprocess, its JSON turned into ``Diagnostic``s.

The process is started beside or after the native pass (``scan.OVERLAP_MAX_BYTES``) and
waited for after it. Its output goes to a file in a private temporary folder (a pipe could
fill up while nobody reads it); the same folder holds whatever semgrep would write to
``~/.semgrep``.

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

import codecs
import io
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from archguard.analysis.facts import LineColumns, Span
from archguard.diagnostics import ArchguardError, Diagnostic
from archguard.semgrep import binary
from archguard.semgrep.rules import SemgrepRuleInfo

TEMP_PREFIX = "archguard-semgrep-"  # the private folder of one run
PER_FILE_TIMEOUT_S = 30  # semgrep's per-rule, per-file limit (its default is 5 s)
OFFLINE_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
DROPPED_ENV = ("SEMGREP_APP_TOKEN",)
IGNORED_ERROR_TYPES = ("Syntax error", "Lexical error", "Other syntax error",
                       "PartialParsing")  # the target's problem: AG000 covers package files


BATCH_ARG_BYTES = 96 * 1024  # targets per semgrep start: far below any ARG_MAX
BATCH_FILES = 2000
# semgrep's memory grows with what one process has scanned (tracecat, 1,187 files, 16 MB:
# 475 MB in one run; 260 MB at most in runs of about 4 MB each), so a run gets at most this
# much source; each further start costs about 0.3 s.
BATCH_SOURCE_BYTES = 4 * 1024 * 1024


def scan_command(executable: str, rule_files: Iterable[Path], targets: Iterable[str],
                 max_target_bytes: int = 0) -> list[str]:
    """Explicit relative targets from the project root: semgrep's ignore lists (which skip
    ``tests/``) apply only to folders it walks, and rule ``paths:`` match these paths.
    ``max_target_bytes``: archguard's own file size limit, so semgrep never skips a file
    silently (its default skips files over 1 MB); larger files are AG000 findings."""
    command = [executable, "scan", "--experimental", "--json", "--quiet", "--metrics=off",
               "--disable-version-check", "--no-rewrite-rule-ids", "--project-root", ".",
               "--timeout", str(PER_FILE_TIMEOUT_S)]
    if max_target_bytes:
        command += ["--max-target-bytes", str(max_target_bytes)]
    for rule_file in rule_files:
        command += ["--config", str(rule_file)]
    return command + ["--", *targets]


def batches(targets: list[str], sizes: Mapping[str, int] | None = None,
            ) -> list[list[str]]:
    """Targets split so that no command line gets too long (25,000 files: E2BIG) and, given
    the files' ``sizes``, no run holds more than ``BATCH_SOURCE_BYTES`` of source."""
    out: list[list[str]] = [[]]
    size = source = 0
    for target in targets:
        cost = len(os.fsencode(target)) + 1
        weight = sizes.get(target, 0) if sizes is not None else 0
        if out[-1] and (size + cost > BATCH_ARG_BYTES or len(out[-1]) >= BATCH_FILES
                        or source + weight > BATCH_SOURCE_BYTES):
            out.append([])
            size = source = 0
        out[-1].append(target)
        size += cost
        source += weight
    return [batch for batch in out if batch]


def semgrep_env(workdir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
    env.update(OFFLINE_ENV)
    env.update(XDG_CONFIG_HOME=str(workdir), SEMGREP_SETTINGS_FILE=str(workdir / "settings.yml"),
               SEMGREP_LOG_FILE=str(workdir / "semgrep.log"))
    return env


@dataclass
class SemgrepProcess:
    """One semgrep run in the background: ``start``, other work, ``wait``, ``close``. Many
    targets run as several semgrep processes one after the other (``batches``)."""

    root: Path
    timeout_s: float
    max_target_bytes: int = 0
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix=TEMP_PREFIX)))
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    pending: list[list[str]] = field(default_factory=list)
    rule_files: list[Path] = field(default_factory=list)
    runs: int = 0

    def start(self, rule_files: list[Path], targets: list[str],
              sizes: Mapping[str, int] | None = None) -> None:
        self.rule_files = rule_files
        self.pending = batches(targets, sizes)
        self.started = time.monotonic()
        self._launch_next()

    def _launch_next(self) -> None:
        targets = self.pending.pop(0)
        command = scan_command(binary.find_semgrep(), self.rule_files, targets,
                               self.max_target_bytes)
        self.runs += 1
        with open(self.workdir / f"out{self.runs}.json", "wb") as out, \
                open(self.workdir / f"err{self.runs}.txt", "wb") as err:
            self.process = launch(command, self.root, semgrep_env(self.workdir), out, err)

    def wait(self) -> dict[str, Any]:
        """semgrep's JSON report (every batch's, merged); an ArchguardError when a run
        failed as a whole."""
        merged: dict[str, Any] = {"results": [], "errors": [], "scanned": []}
        while True:
            report = self._wait_one()
            merged["results"] += report.get("results") or []
            merged["errors"] += report.get("errors") or []
            paths = report.get("paths") if isinstance(report.get("paths"), dict) else {}
            merged["scanned"] += paths.get("scanned") or []
            if not self.pending:
                return merged
            self._launch_next()

    def _wait_one(self) -> dict[str, Any]:
        assert self.process is not None
        remaining = self.timeout_s - (time.monotonic() - self.started)
        try:
            code = self.process.wait(timeout=max(remaining, 0.01))
        except subprocess.TimeoutExpired:
            self.kill()
            raise ArchguardError(
                f"semgrep did not finish within {self.timeout_s:g} s: raise 'semgrep-timeout' "
                f"in [tool.archguard], or run with --no-semgrep") from None
        return read_report(code, self.workdir / f"out{self.runs}.json",
                           self.workdir / f"err{self.runs}.txt")

    def finished(self) -> bool:
        return not self.pending and (self.process is None or self.process.poll() is not None)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:  # its own session: semgrep and any helper it started
                os.killpg(self.process.pid, signal.SIGKILL)
            except (OSError, AttributeError):
                self.process.kill()
            self.process.wait()

    def close(self) -> None:
        self.pending = []
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
    except (ValueError, RecursionError):
        report = None
    errors = report.get("errors") if isinstance(report, dict) else None
    if isinstance(errors, list):
        check_errors(errors)
        if code != 0 and errors and all(isinstance(e, dict) and _about_one_file(e)
                                        for e in errors):
            return report  # only some files failed: their problem (``file_errors``)
    if code != 0 or not isinstance(report, dict):
        reason = _first_error(report) or _stderr_line(err_file)
        raise ArchguardError(f"semgrep failed (exit code {code}): {reason}")
    return report


def _first_error(report: object) -> str:
    """semgrep's own reason, from its JSON (whatever the level), when it gave one."""
    errors = report.get("errors") if isinstance(report, dict) else None
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict) and error.get("message"):
            where = f" in rule '{error['rule_id']}'" if error.get("rule_id") else ""
            return f"{_error_type(error)}{where}: {' '.join(str(error['message']).split())[:300]}"
    return ""


def file_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Errors about one target file (path -> message): that file's problem, not the run's.
    Target parse errors are left out (AG000 reports syntax errors natively)."""
    found: dict[str, str] = {}
    for error in errors:
        if isinstance(error, dict) and _about_one_file(error) and \
                _error_type(error) not in IGNORED_ERROR_TYPES:
            message = " ".join(str(error.get("message", "")).split())[:300]
            found.setdefault(normal_path(_target_of(error) or ""),
                             f"{_error_type(error)}: {message}".rstrip(": "))
    return found


_BAD_ROOT = re.compile(r"Invalid scanning root: (?P<path>.+?)\s*$")


def _target_of(error: dict[str, Any]) -> str | None:
    """The target file an error is about: its ``path``, or the file named by "Invalid
    scanning root" (a target deleted after archguard listed it)."""
    path = error.get("path")
    if path and not str(path).endswith((".yaml", ".yml")):
        return str(path)
    match = _BAD_ROOT.search(str(error.get("message", "")))
    return match["path"] if match else None


def _about_one_file(error: dict[str, Any]) -> bool:
    return _target_of(error) is not None


def check_errors(errors: list[dict[str, Any]]) -> None:
    """Rule errors fail the run; errors about one target file (a per-file timeout, a file
    that vanished) and target parse errors do not (see ``file_errors``)."""
    serious = [e for e in errors if isinstance(e, dict) and _is_serious(e)
               and not _about_one_file(e)]
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
                        root: Path, limit: int | None = None) -> dict[str, list[Diagnostic]]:
    """Every result as a Diagnostic, grouped by project-relative path: one per rule and line
    (the first on it), as the message names the line's problem, not each match on it
    (`scoped_session(sessionmaker(...))`, two `os.environ.get` in one condition)."""
    sources = _Sources(root, limit)
    found: dict[str, list[Diagnostic]] = {}
    for result in report.get("results") or []:
        rule = rules.get(str(result.get("check_id")))
        if rule is None:
            raise ArchguardError(f"semgrep reported unknown rule '{result.get('check_id')}'")
        diagnostic = to_diagnostic(result, rule, sources)
        found.setdefault(diagnostic.path, []).append(diagnostic)
    for path, diagnostics in found.items():
        first: dict[tuple[str, int], Diagnostic] = {}
        for diagnostic in sorted(diagnostics, key=lambda d: (d.line, d.column)):
            first.setdefault((diagnostic.code, diagnostic.line), diagnostic)
        found[path] = list(first.values())
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
    """Files read on demand: semgrep columns count bytes of the file as stored (after a
    UTF-8 BOM too, and in the declared PEP 263 encoding), archguard's count characters of
    the decoded line; and a function-level match on a decorator moves to its ``def`` line."""

    def __init__(self, root: Path, limit: int | None = None) -> None:
        self.root, self.limit = root, limit
        self.files: dict[str, tuple[list[bytes], str, bool, str]] = {}

    def file(self, path: str) -> tuple[list[bytes], str, bool, str]:
        """(byte lines, encoding, BOM, decoded text) of a file."""
        if path not in self.files:
            self.files[path] = _read_source(self.root / path, self.limit)
        return self.files[path]

    def column(self, path: str, line: int, col: int) -> int:
        lines, encoding, bom, _ = self.file(path)
        offset = col - 1 - (3 if bom and line == 1 else 0)
        if not 0 < line <= len(lines) or offset <= 0:
            return max(offset, 0) + 1
        return len(lines[line - 1][:offset].decode(encoding, errors="replace")) + 1

    def span(self, path: str, line: int, col: int, end_line: int, end_col: int,
             def_line: bool) -> Span:
        start = self.column(path, line, col)
        text = self.file(path)[3]
        if def_line and text:
            header = decorated_header(text, line, start)
            if header is not None:
                return header
        return Span(line, start, end_line, self.column(path, end_line, end_col))


def _read_source(path: Path, limit: int | None) -> tuple[list[bytes], str, bool, str]:
    from archguard.analysis.parsing import decode_source
    from archguard.project.fileio import read_regular

    try:
        _, data = read_regular(path, limit)
    except OSError:
        return [], "utf-8", False, ""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        codecs.lookup(encoding)
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    body = data[3:] if bom else data
    decoded = decode_source(data)
    return (re.split(rb"\r\n|\r|\n", body), encoding, bom,
            decoded if isinstance(decoded, str) else "")


def decorated_header(text: str, line: int, column: int) -> Span | None:
    """The ``def``/``class`` line of the definition whose decorator starts at (line,
    character column)."""
    import ast

    from archguard.analysis.parsing import parse_module

    try:
        tree = parse_module(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    columns = LineColumns(text)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and any(
                d.lineno == line and columns.column(d.lineno, d.col_offset) == column
                for d in node.decorator_list):
            return columns.header_span(node)
    return None
