"""The command line: a thin typer layer over ``archguard.run.runner`` and the emitters.

Exit codes: 0 no findings, 1 findings, 2 usage, config or internal error (one line on
stderr; a traceback only with ``--debug``).
"""

from __future__ import annotations

import io
import os
import signal
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Iterator, Optional, TextIO

import typer

from archguard import __version__
from archguard.diagnostics import ArchguardError
from archguard.report.emitters import EmitOptions, get_emitter
from archguard.run.runner import CheckRequest, run_check

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="archguard",
    help="Architecture conformance checker for cpv3-style FastAPI backends.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class OutputFormat(str, Enum):
    full = "full"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    junit = "junit"


class TableFormat(str, Enum):
    table = "table"
    json = "json"


_debug = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archguard {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """archguard: the cpv3 backend rulebook, machine-checked."""
    global _debug
    _debug = debug


def split_codes(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def use_color(no_color: bool, stream: TextIO) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


@contextmanager
def output_stream(output_file: Path | None) -> Iterator[TextIO]:
    """Where a report goes. A file is written atomically once the report is complete (a
    failure leaves the old file as it was). On standard output, a reader that went away
    (``archguard check | head``) ends the output quietly and the exit code stays the
    check's; any other write failure (a full disk) is exit 2."""
    if output_file is not None:
        from archguard.project.fileio import write_user_file

        buffer = io.StringIO()
        yield buffer
        write_user_file(output_file, buffer.getvalue().encode("utf-8", "backslashreplace"))
        return
    stream = sys.stdout
    if stream is None:  # started with standard output closed (`archguard check >&-`)
        raise ArchguardError("standard output is closed: nowhere to write the report "
                             "(use --output-file)")
    try:
        yield stream
        stream.flush()
    except BrokenPipeError:
        _drop_stdout()
    except (OSError, ValueError) as error:  # ENOSPC (/dev/full), EBADF, a closed stream
        _drop_stdout()
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise ArchguardError(f"cannot write the report to standard output: {reason}") from None


def _drop_stdout() -> None:
    """Point standard output at /dev/null: what is still buffered cannot fail again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


PathsArg = Annotated[Optional[list[Path]], typer.Argument(
    help="Project root, or folders/files inside it (default: .).", show_default=False)]
SelectOpt = Annotated[Optional[list[str]], typer.Option(
    "--select", help="Codes or prefixes to report, comma-separated (AG2, AG201).")]
IgnoreOpt = Annotated[Optional[list[str]], typer.Option(
    "--ignore", help="Codes or prefixes to leave out, comma-separated.")]
ConfigOpt = Annotated[Optional[Path], typer.Option(
    "--config", help="pyproject.toml (or TOML file) holding the archguard settings.")]


@app.command()
def check(
    paths: PathsArg = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="Output format.")] = OutputFormat.full,
    output_file: Annotated[Optional[Path], typer.Option(
        "--output-file", "-o", help="Write the report to this file.")] = None,
    statistics: Annotated[bool, typer.Option(
        "--statistics", help="Show the number of findings per code instead.")] = False,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="Exit 0 even when there are findings.")] = False,
    config: ConfigOpt = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="Never colour output.")] = False,
    baseline: Annotated[Optional[Path], typer.Option(
        "--baseline", help="Report only findings not recorded in this baseline file.")] = None,
    since: Annotated[Optional[str], typer.Option(
        "--since", help="Report only files changed since this git revision.")] = None,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Neither read nor write the cache (.archguard_cache/).")] = False,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0,
        help="Processes for per-file work: 0 = one per core, 1 = serial.")] = 0,
    no_semgrep: Annotated[bool, typer.Option(
        "--no-semgrep", help="Skip the semgrep rules (AG406, AG407, AG70x, AG805, your own).",
    )] = False,
) -> None:
    """Check the project against the rulebook."""
    from archguard.run.progress import progress_for

    with progress_for(output_format.value) as progress:
        report = run_check(CheckRequest(
            paths=paths or [Path(".")], config_file=config, select=split_codes(select),
            ignore=split_codes(ignore), since=since, baseline=baseline,
            use_cache=not no_cache, jobs=jobs, progress=progress, semgrep=not no_semgrep))
    with output_stream(output_file) as stream:
        options = EmitOptions(color=output_file is None and use_color(no_color, stream),
                              statistics=statistics)
        get_emitter(output_format.value)(report, stream, options)
    if report.diagnostics and not exit_zero:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("baseline")
def baseline_command(
    paths: PathsArg = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "--output-file", "-o",
        help="Baseline file to write [default: .archguard-baseline.json].",
        show_default=False)] = None,
    prune: Annotated[Optional[Path], typer.Option(
        "--prune", help="Drop the entries of this baseline that no longer occur (adds "
        "nothing new); rewrites it, or writes --output.")] = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    no_semgrep: Annotated[bool, typer.Option(
        "--no-semgrep", help="Skip the semgrep rules (their findings are not recorded).",
    )] = False,
) -> None:
    """Record today's findings so that 'check --baseline FILE' reports only new ones."""
    from archguard.run.baseline import write_baseline_command

    request = CheckRequest(paths=paths or [Path(".")], config_file=config,
                           select=split_codes(select), ignore=split_codes(ignore),
                           semgrep=not no_semgrep)
    typer.echo(write_baseline_command(request, output, prune))


@app.command()
def init(
    path: Annotated[Optional[Path], typer.Argument(
        help="The project root (default: .).", show_default=False)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace an existing [tool.archguard] section.")] = False,
) -> None:
    """Detect the project layout and write a commented [tool.archguard] to pyproject.toml."""
    from archguard.project.init import init_project

    typer.echo(init_project(path or Path("."), force))


@app.command()
def clean(
    path: Annotated[Optional[Path], typer.Argument(
        help="The project, or a path inside it (default: .).", show_default=False)] = None,
) -> None:
    """Remove the project's cache (.archguard_cache/, or $ARCHGUARD_CACHE_DIR)."""
    from archguard.engine.cache import cache_dir, clean as clean_cache
    from archguard.project.discovery import locate_project

    root = locate_project([path or Path(".")]).root
    removed = clean_cache(root)
    typer.echo(f"removed {removed}" if removed else f"no cache at {cache_dir(root)}")


@app.command()
def rules(
    output_format: Annotated[TableFormat, typer.Option(
        "--format", help="table or json.")] = TableFormat.table,
    no_color: Annotated[bool, typer.Option("--no-color", help="Never colour output.")] = False,
) -> None:
    """List every rule: code, slug, summary, and whether it is on by default."""
    from archguard.rules.docs import print_rules_table, rules_json

    if output_format is TableFormat.json:
        typer.echo(rules_json())
    else:
        print_rules_table(use_color(no_color, sys.stdout))


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="A rule code (AG201) or slug (relative-import).")],
    no_color: Annotated[bool, typer.Option("--no-color", help="Never colour output.")] = False,
) -> None:
    """Explain a rule: why it exists, the rulebook line, bad and good examples, configuration."""
    from archguard.rules.docs import explain_text
    from archguard.rules.registry import find_rule

    typer.echo(explain_text(find_rule(rule)))


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


@app.command()
def graph(
    path: Annotated[Optional[Path], typer.Argument(
        help="The project root, or any path inside it (default: .).",
        show_default=False)] = None,
    output_format: Annotated[GraphFormat, typer.Option(
        "--format", help="mermaid, dot or json.")] = GraphFormat.mermaid,
    output_file: Annotated[Optional[Path], typer.Option(
        "--output-file", "-o", help="Write the graph to this file.")] = None,
    config: ConfigOpt = None,
) -> None:
    """The module dependency graph; layer violations and cycles highlighted."""
    from archguard.run.graph import graph_text

    text = graph_text(path or Path("."), config, output_format.value)
    with output_stream(output_file) as stream:
        stream.write(text)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (``timeout``, a CI cancel, a closed terminal): unwinds like Ctrl-C,
    so every ``finally`` runs (pool workers and semgrep are stopped, temp folders removed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_signalled: list[int] = []  # the signal that ended the run (typer may re-wrap the exception)


def _terminate(signum: int, frame: object) -> None:
    _signalled.append(signum)
    raise Terminated(signum)


@contextmanager
def _signals_end_the_run() -> Iterator[None]:
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, _terminate)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _tolerant_streams() -> None:
    """A terminal whose encoding cannot show a character gets its escape, never a crash
    (``PYTHONIOENCODING=cp1252``); machine formats choose ASCII escapes themselves."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def main(argv: list[str] | None = None) -> int:
    """Console entry point: maps every outcome to the documented exit codes.

    typer/click handle usage errors themselves (message and exit 2); everything else that
    escapes a command is turned into one line on stderr. A signal ends the run with
    128 + its number (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
    """
    try:
        os.getcwd()
    except OSError:
        _fail("the current working directory no longer exists", None)
        return EXIT_ERROR
    _tolerant_streams()
    try:
        with _signals_end_the_run():
            app(args=argv, prog_name="archguard", standalone_mode=True)
    except SystemExit as done:
        if _signalled:  # click turned the interrupt into "Aborted!" and exit 1
            return 128 + _signalled[0]
        return done.code if isinstance(done.code, int) else EXIT_ERROR
    except ArchguardError as error:
        _fail(str(error), error)
        return EXIT_ERROR
    except KeyboardInterrupt as interrupt:
        return 128 + (_signalled[0] if _signalled else getattr(interrupt, "signum",
                                                               signal.SIGINT))
    except RecursionError as error:
        _fail("input nested too deeply to process (run with --debug for the traceback)", error)
        return EXIT_ERROR
    except Exception as error:  # never a bare traceback for users
        _fail(f"internal error: {error!r} (run with --debug for the traceback)", error)
        return EXIT_ERROR
    return EXIT_CLEAN


def _fail(message: str, error: BaseException | None) -> None:
    if error is not None and (_debug or "--debug" in sys.argv):
        import traceback

        traceback.print_exception(error)
    from archguard.report.emitters import printable

    try:  # a path or a value from the repository never reaches the terminal raw
        sys.stderr.write(f"archguard: error: {printable(message)}\n")
    except (OSError, ValueError, AttributeError):  # stderr closed too: the code says it
        pass


def run() -> None:
    """The console script: ``main``, then a hard exit. Tearing down the interpreter frees a
    large project's objects one by one (~60 ms of a cold check) and nothing needs it: the
    pool and semgrep are finished by now and every file written is closed (mypy does the
    same). What is still buffered is flushed first: a reader that went away changes
    nothing; a failed write (a full disk) is exit 2."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:
            pass
        except (OSError, ValueError) as error:
            if stream is sys.stdout:
                _fail(f"cannot write to standard output: "
                      f"{getattr(error, 'strerror', None) or error}", None)
                code = EXIT_ERROR
    os._exit(code)
