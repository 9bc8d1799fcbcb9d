"""Hostile trees and faults (issue 13): archguard never crashes, hangs, loses a file, or turns
a red gate green. Each test builds its tree in a temporary folder and asserts the exit code,
the findings, and that no user file changed.

Capabilities this machine may lack (FIFOs, user or mount namespaces for a non-root reader
and a full disk) make the tests that need them skip with the reason.
"""

from __future__ import annotations

import ast
import errno
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archguard.cli import main
from archguard.engine import cache

MODULE_FILES = ("__init__.py", "models.py", "schemas.py", "repository.py", "service.py",
                "router.py")
PYPROJECT = '[tool.archguard]\nmodule-names = ["media"]\n'
RELATIVE = "from __future__ import annotations\n\nfrom .schemas import MediaRead\n"


def make_project(root: Path, pyproject: str = PYPROJECT) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject)
    folder = root / "cpv3" / "modules" / "media"
    folder.mkdir(parents=True)
    (root / "cpv3" / "__init__.py").write_text("")
    (root / "cpv3" / "modules" / "__init__.py").write_text("")
    for name in MODULE_FILES:
        (folder / name).write_text("")
    (folder / "service.py").write_text(RELATIVE)  # one AG201, the red gate
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def snapshot_tree(root: Path) -> dict[str, str]:
    """Every regular file's content hash and every other entry's kind (what 'no user file
    changed' compares); the cache folder is archguard's own."""
    found = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != cache.CACHE_DIR_NAME and d != "__pycache__"]
        for name in dirs + names:
            path = Path(folder) / name
            key = os.fsencode(path.relative_to(root)).decode("utf-8", "backslashreplace")
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_file() and not name.endswith(".pyc"):
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[key] = "other"
    return found


def check(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["check", str(root), "--no-semgrep", *args])
    out, err = capsys.readouterr()
    return code, out, err


def json_findings(out: str) -> list[tuple[str, str, str]]:
    return [(d["code"], d["path"], d["message"]) for d in json.loads(out)["diagnostics"]]


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    """The real console script in a subprocess (exit codes, streams, signals)."""
    return subprocess.run([sys.executable, "-m", "archguard", *args], cwd=cwd,
                          env={**os.environ, **(env or {})}, capture_output=True,
                          timeout=timeout, **kwargs)  # type: ignore[call-overload]


# --- data loss: the cache folder ----------------------------------------------------------

@pytest.mark.parametrize("foreign", [
    (".gitignore", "node_modules/\n"), ("notes.index", "mine"), ("data.pack", "mine"),
    ("draft.tmp", "mine"), ("README", "mine"), (f"{'0' * 24}.index.1.abc.tmp", "mine"),
])
def test_a_cache_dir_holding_foreign_files_is_refused_and_left_alone(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], foreign: tuple[str, str]) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / foreign[0]).write_text(foreign[1])
    before = snapshot_tree(folder)
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(folder))
    code, _, err = check(project, capsys=capsys)
    assert code == 2 and "holds files archguard did not write" in err
    assert main(["clean", str(project)]) == 2
    assert snapshot_tree(folder) == before


@pytest.mark.parametrize("where", [".", "..", "cpv3"])
def test_a_cache_dir_that_is_or_holds_the_project_is_refused(
        project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        where: str) -> None:
    before = snapshot_tree(project.parent)
    monkeypatch.chdir(project)
    monkeypatch.setenv(cache.CACHE_DIR_ENV, where)
    code, _, err = check(project, capsys=capsys)
    assert code == 2 and f"cache folder {where} " in err
    assert main(["clean", str(project)]) == 2
    assert snapshot_tree(project.parent) == before  # no '.gitignore' of '*' anywhere


def test_clean_and_pruning_delete_only_archguard_files(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(project, capsys=capsys)[0] == 1
    folder = project / cache.CACHE_DIR_NAME
    assert (folder / cache.MARKER).read_text().startswith("archguard cache\nformat ")
    mine = {"notes.index": "x", "a.pack": "y", "b.tmp": "z", "sub.txt": "w"}
    for name, text in mine.items():
        (folder / name).write_text(text)
        os.utime(folder / name, (1_000_000, 1_000_000))  # old enough to be "stale"
    for i in range(cache.KEEP_KEYS + 2):  # more keys than are kept: pruning runs
        (project / "pyproject.toml").write_text(PYPROJECT + f"max-cycles = {10 + i}\n")
        assert check(project, capsys=capsys)[0] == 1
    assert main(["clean", str(project)]) == 0
    assert {p.name: p.read_text() for p in folder.iterdir()} == mine


# --- data loss: atomic rewrites -----------------------------------------------------------

@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_a_failed_baseline_or_init_write_keeps_the_old_file(
        project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        failing: str) -> None:
    baseline = project / "existing.json"
    assert main(["baseline", str(project), "-o", str(baseline), "--no-semgrep"]) == 0
    (project / "cpv3" / "modules" / "media" / "models.py").write_text(RELATIVE)
    init_target = project / "pyproject.toml"
    init_target.write_text('[project]\nname = "x"\n')  # no section yet: init would write
    before = snapshot_tree(project)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    real_fdopen = os.fdopen
    if failing == "write":
        class Full:
            def __init__(self, handle: object) -> None:
                self.handle = handle

            def __enter__(self) -> Full:
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()  # type: ignore[attr-defined]

            def __getattr__(self, name: str) -> object:  # reading works as usual
                return getattr(self.handle, name)

            def write(self, data: bytes) -> None:
                full_disk()

        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k)))
    else:
        monkeypatch.setattr(os, failing, full_disk)
    capsys.readouterr()
    assert main(["baseline", str(project), "-o", str(baseline), "--no-semgrep"]) == 2
    assert main(["init", str(project)]) == 2
    assert main(["check", str(project), "--no-semgrep", "--format", "json",
                 "-o", str(baseline)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {baseline}: No space left on device; {baseline} is unchanged" in err
    assert f"cannot write {init_target}: No space left on device" in err
    monkeypatch.undo()
    assert snapshot_tree(project) == before  # and no temporary file left behind


def _mount_namespace() -> bool:
    if not shutil.which("unshare") or os.geteuid() != 0:
        return False
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                          capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(not _mount_namespace(), reason="needs root and a mount namespace "
                    "(unshare -m) for a private full filesystem")
@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_report_written_to_a_device_or_fifo_never_replaces_it(
        project: Path, tmp_path: Path) -> None:
    """``-o /dev/null`` once replaced the machine's /dev/null with a regular file (the atomic
    rename went over the device). A device node and a FIFO of our own stand in for it."""
    import stat as stat_module

    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat_module.S_IFCHR, os.makedev(1, 3))
    assert main(["check", str(project), "--no-semgrep", "-o", str(null)]) == 1
    assert stat_module.S_ISCHR(os.stat(null).st_mode)
    link = tmp_path / "link-to-null"
    link.symlink_to(null)
    assert main(["baseline", str(project), "--no-semgrep", "-o", str(link)]) == 0
    assert stat_module.S_ISCHR(os.stat(null).st_mode) and link.is_symlink()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    assert main(["check", str(project), "--no-semgrep", "--format", "json", "-o",
                 str(fifo)]) == 1
    out, _ = reader.communicate(timeout=30)
    assert stat_module.S_ISFIFO(os.stat(fifo).st_mode) and json.loads(out)["diagnostics"]
    assert not list(tmp_path.glob("*.tmp"))


def test_a_full_disk_leaves_the_baseline_and_pyproject_intact(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    script = f"""
set -e
mount -t tmpfs -o size=96k tmpfs {disk}
mkdir {disk}/p
cp -r {make_project(tmp_path / 'src')}/. {disk}/p/
cd {disk}/p
{sys.executable} -m archguard baseline --no-semgrep -o base.json . >/dev/null
for i in $(seq 1 300); do printf 'from .schemas import X{{i}}\\n' >> cpv3/modules/media/models.py; done
sha256sum base.json pyproject.toml > {out}/sums
dd if=/dev/zero of={disk}/filler bs=1k count=200 2>/dev/null || true
set +e
{sys.executable} -m archguard baseline --no-semgrep -o base.json . 2>{out}/err1
echo $? > {out}/rc1
{sys.executable} -m archguard init --force . 2>{out}/err2; echo $? > {out}/rc2
sha256sum -c {out}/sums > {out}/check 2>&1; echo $? > {out}/rc3
"""
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                          capture_output=True, env={**os.environ, "ARCHGUARD_NO_SEMGREP": "1"},
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert (out / "rc1").read_text().strip() == "2", (out / "err1").read_text()
    assert "No space left on device" in (out / "err1").read_text()
    assert (out / "rc2").read_text().strip() == "2"
    assert (out / "rc3").read_text().strip() == "0", (out / "check").read_text()


# --- hangs and runaway reads --------------------------------------------------------------

def stat_is_char(path: str) -> bool:
    import stat

    return stat.S_ISCHR(os.stat(path).st_mode)


def _special_files(folder: Path) -> dict[str, str]:
    """name -> expected message part, for what this machine can create."""
    made = {}
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.py")
        made["fifo.py"] = "not a regular file (a FIFO)"
    if stat_is_char("/dev/zero"):
        (folder / "zero.py").symlink_to("/dev/zero")
        made["zero.py"] = "not a regular file (a character device)"
    if os.path.exists("/dev/urandom") and stat_is_char("/dev/urandom"):
        (folder / "random.py").symlink_to("/dev/urandom")
        made["random.py"] = "not a regular file (a character device)"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "sock.py"))
        made["sock.py"] = "not a regular file (a socket)"
    except OSError:
        pass
    finally:
        sock.close()
    (folder / "big.py").write_text("x = 1\n" * 400)  # 2.4 KB against a 1 KB limit below
    made["big.py"] = "file too large (2 KB; the limit is 1 KB)"
    return made


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fifos_devices_sockets_and_large_files_are_findings_not_hangs(
        tmp_path: Path, jobs: str) -> None:
    root = make_project(tmp_path / "p", PYPROJECT + "max-file-size-kb = 1\n")
    folder = root / "cpv3" / "modules" / "media"
    made = _special_files(folder)
    for i in range(70):  # enough files for a process pool with -j 2
        (root / "cpv3" / f"plain_{i}.py").write_text("from __future__ import annotations\n")
    before = snapshot_tree(root)
    done = cli("check", str(root), "--no-semgrep", "--no-cache", "-j", jobs, "--format",
               "json", timeout=120)
    assert done.returncode == 1, done.stderr
    found = {(code, path.rsplit("/", 1)[-1]): message
             for code, path, message in json_findings(done.stdout.decode())}
    for name, message in made.items():
        assert message in found[("AG000", name)]
    assert ("AG201", "service.py") in found  # the rest is still checked
    assert snapshot_tree(root) == before


def test_a_cached_run_reports_special_files_again(project: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (project / "cpv3" / "z.py").symlink_to("/dev/zero")
    for _ in range(2):
        code, out, _ = check(project, "--format", "json", capsys=capsys)
        assert code == 1
        assert ("AG000", "cpv3/z.py",
                "not a regular file (a character device): not read") in json_findings(out)


def _pids_of_children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def busy_project(root: Path) -> Path:
    """A project big enough that a check with a pool is still running when interrupted."""
    make_project(root)
    body = "".join(f"def f{i}(x: int) -> int:\n    return x + {i}\n\n" for i in range(300))
    for i in range(400):
        (root / "cpv3" / f"m{i}.py").write_text(body)
    return root


def children_once_started(process: subprocess.Popen[bytes], count: int) -> set[int]:
    deadline = time.monotonic() + 60
    while len(_pids_of_children(process.pid)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return _pids_of_children(process.pid)


def still_alive(pids: set[int], wait_s: float = 10) -> list[int]:
    """The processes of ``pids`` still running (not zombies) after up to ``wait_s``: a
    loaded machine schedules dying workers late."""
    def alive() -> list[int]:
        return [pid for pid in pids if Path(f"/proc/{pid}").exists()
                and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]]

    deadline = time.monotonic() + wait_s
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_leaves_no_worker_no_semgrep_and_no_temp_folder(
        tmp_path: Path, signum: int) -> None:
    root = busy_project(tmp_path / "p")
    temp = tmp_path / "tmp"
    temp.mkdir()
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "semgrep").write_text("#!/bin/sh\nexec sleep 300\n")  # a semgrep that hangs
    (fake / "semgrep").chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "ARCHGUARD_NO_SEMGREP"}
    env.update(TMPDIR=str(temp), PATH=f"{fake}:{env['PATH']}")
    script = (f"import sys; sys.executable = {str(fake / 'python')!r}; "  # semgrep from PATH
              "from archguard.cli import run; sys.argv = ['archguard', *sys.argv[1:]]; run()")
    process = subprocess.Popen([sys.executable, "-c", script, "check", str(root),
                                "--no-cache", "-j", "2"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        children = children_once_started(process, 3)  # semgrep and two workers
        assert len(children) >= 3, "the check finished before it could be interrupted"
        process.send_signal(signum)
        assert process.wait(timeout=30) == 128 + signum
    finally:
        if process.poll() is None:
            process.kill()
    assert still_alive(children) == []
    assert list(temp.iterdir()) == []
    assert b"Traceback" not in process.stderr.read()  # type: ignore[union-attr]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    """SIGKILL leaves no handler to stop the pool: the kernel's parent-death signal must.
    Without it the workers wait forever on a queue their siblings keep open (seen after a
    SIGTERM that landed while the pool was starting)."""
    root = busy_project(tmp_path / "p")
    env = {**os.environ, "ARCHGUARD_NO_SEMGREP": "1"}
    process = subprocess.Popen([sys.executable, "-m", "archguard", "check", str(root),
                                "--no-cache", "-j", "2"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers = children_once_started(process, 2)
        assert len(workers) >= 2, "the check finished before it could be killed"
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    leftover = still_alive(workers)
    for pid in leftover:  # never leave them behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert leftover == []


# --- crashes: deep code, vanishing files, long target lists -------------------------------

DEEP = {
    "chain.py": "x = " + " + ".join(f"a{i}" for i in range(5000)) + "\n",
    "strings.py": "x = " + " + ".join(['"s"'] * 3000) + "\n",
    "elifs.py": "def f(x: int) -> int:\n    if x == 0:\n        return 0\n" + "".join(
        f"    elif x == {i}:\n        return {i}\n" for i in range(1, 600)) + "    return -1\n",
    "cond.py": "y = " + "".join(f"{i} if x else " for i in range(330)) + "0\n",
    "calls.py": "y = " + "f(" * 150 + ")" * 150 + "\n",
    "attrs.py": "y = a" + ".b" * 3000 + "\n",
    "nested.py": "".join("    " * i + f"if x{i}:\n" for i in range(90)) + "    " * 90 + "pass\n",
}


def test_deep_but_valid_code_is_checked_or_named_never_a_crash(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, source in DEEP.items():
        (project / "cpv3" / name).write_text("from __future__ import annotations\n" + source)
    code, out, err = check(project, "--format", "json", "--no-cache", capsys=capsys)
    assert code == 1, err
    found = json_findings(out)
    assert ("AG201", "cpv3/modules/media/service.py") in {(c, p) for c, p, _ in found}
    for code_, path, message in found:
        if code_ == "AG000":  # only ever "too deeply nested", naming the stage
            assert "too deeply nested to analyse (" in message or "too many" in message, \
                message


def test_files_that_vanish_are_skipped_with_a_note(project: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from archguard.run import runner

    listed = runner.package_files

    def then_deleted(location: object, problems: object = None) -> list[str]:
        paths = listed(location, problems)  # type: ignore[arg-type]
        (project / "cpv3" / "modules" / "media" / "router.py").unlink()
        (project / "cpv3" / "gone").mkdir()
        return [*paths, "cpv3/gone/never.py"]

    monkeypatch.setattr(runner, "package_files", then_deleted)
    code, out, err = check(project, "--format", "concise", "--no-cache", capsys=capsys)
    assert code == 1, err
    assert "AG201" in out and "AG000" not in out
    assert "2 files deleted during the run, not checked: cpv3/gone/never.py, " \
           "cpv3/modules/media/router.py" in out


def test_semgrep_gets_targets_in_batches_that_fit_any_command_line() -> None:
    from archguard.semgrep import process

    targets = [f"pkg/very/long/folder/name/number_{i:05d}/module_file.py" for i in range(25_000)]
    batches = process.batches(targets)
    assert [t for batch in batches for t in batch] == targets
    assert all(len(batch) <= process.BATCH_FILES for batch in batches)
    assert all(sum(len(t) + 1 for t in batch) <= process.BATCH_ARG_BYTES for batch in batches)
    sizes = {target: 1024 * 1024 for target in targets}  # and at most 4 MB of source each
    assert [len(b) for b in process.batches(targets[:9], sizes)] == [4, 4, 1]
    command = process.scan_command("semgrep", [Path("r.yaml")], batches[0], 4096)
    assert command[command.index("--max-target-bytes") + 1] == "4096"


def test_a_semgrep_error_about_one_file_is_that_files_finding(tmp_path: Path) -> None:
    from archguard.semgrep import process

    out, err = tmp_path / "out.json", tmp_path / "err.txt"
    report = {"results": [], "paths": {"scanned": ["a.py"]}, "errors": [
        {"code": 2, "level": "error", "type": "SemgrepError",
         "message": "SemgrepError :\n Invalid scanning root: gone.py"}]}
    out.write_text(json.dumps(report))
    err.write_text("")
    assert process.read_report(2, out, err) == report  # exit 2, but only about one file
    report["errors"] = [{"code": 2, "level": "warn", "type": "Rule parse error",
                         "rule_id": "mine", "message": "Rule parse error in rule mine:\n "
                         "missing languages"}]
    out.write_text(json.dumps(report))
    with pytest.raises(Exception, match="Rule parse error in rule 'mine': Rule parse error "
                                        "in rule mine: missing languages"):
        process.read_report(7, out, err)  # semgrep's reason, not "no error message"


# --- non-UTF-8 file names and odd output streams ------------------------------------------

@pytest.mark.parametrize("output_format", ["full", "concise", "json", "sarif", "github",
                                           "gitlab", "junit"])
def test_undecodable_and_control_characters_in_names_keep_every_format_valid(
        tmp_path: Path, output_format: str) -> None:
    root = make_project(tmp_path / "p")
    folder = os.fsencode(root / "cpv3" / "modules" / "media")
    for raw in (b"caf\xe9.py", b"esc\x1b[31m.py", b"line\nbreak.py"):
        with open(os.path.join(folder, raw), "w") as handle:
            handle.write(RELATIVE)
    done = cli("check", str(root), "--no-semgrep", "--format", output_format, cwd=root)
    assert done.returncode == 1, done.stderr
    text = done.stdout.decode("utf-8")  # valid UTF-8, or this raises
    assert "\x1b" not in text
    if output_format in ("json", "sarif", "gitlab"):
        data = json.loads(text)
        assert "caf\\xe9.py" in json.dumps(data, ensure_ascii=False).replace("\\\\", "\\")
    elif output_format == "junit":
        ET.fromstring(text.split("\n", 1)[1])
    else:
        assert "caf\\xe9.py" in text and "esc\\x1b[31m.py" in text
        assert ("line%0Abreak.py" if output_format == "github" else "line\\nbreak.py") in text
    baseline = cli("baseline", str(root), "--no-semgrep", "-o", str(tmp_path / "b.json"),
                   cwd=root)
    assert baseline.returncode == 0, baseline.stderr
    assert json.loads((tmp_path / "b.json").read_bytes().decode("utf-8"))["findings"]
    again = cli("check", str(root), "--no-semgrep", "--baseline", str(tmp_path / "b.json"),
                cwd=root)
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.parametrize("output_format", ["full", "json", "sarif", "junit", "gitlab"])
def test_a_non_utf8_stdout_encoding_gets_escapes_not_a_crash(
        tmp_path: Path, output_format: str) -> None:
    root = make_project(tmp_path / "p")
    (root / "cpv3" / "modules" / "media" / "ünïcode_ẞ.py").write_text(RELATIVE)
    done = cli("check", str(root), "--no-semgrep", "--format", output_format,
               env={"PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 1 and done.stderr == b""
    text = done.stdout.decode("cp1252")
    if output_format in ("json", "sarif", "gitlab"):
        assert json.loads(text)
    elif output_format == "junit":
        ET.fromstring(done.stdout.split(b"\n", 1)[1])
    graph = cli("graph", str(root), env={"PYTHONIOENCODING": "cp1252"})
    assert graph.returncode == 0 and graph.stderr == b""


@pytest.mark.parametrize(("shell", "expected"), [
    ("{cmd} >&-", 2),  # stdout closed
    ("{cmd} > /dev/full", 2),
    ("{cmd} --exit-zero > /dev/full", 2),  # the report was lost: never green
    ("{cmd} | head -c 1 > /dev/null; exit ${{PIPESTATUS[0]}}", 1),  # the reader left
    ("{cmd} --exit-zero | head -c 1 > /dev/null; exit ${{PIPESTATUS[0]}}", 0),
])
def test_closed_full_and_broken_stdout_give_the_documented_exit_code(
        tmp_path: Path, shell: str, expected: int) -> None:
    root = make_project(tmp_path / "p")
    for i in range(300):  # a report longer than a pipe's buffer
        (root / "cpv3" / f"m{i}.py").write_text(RELATIVE)
    cmd = f"{sys.executable} -m archguard check {root} --no-semgrep --no-cache"
    done = subprocess.run(["bash", "-c", shell.format(cmd=cmd)], capture_output=True,
                          timeout=120)
    assert done.returncode == expected, done.stderr
    assert b"Traceback" not in done.stderr and done.stderr.count(b"\n") <= 1


def test_a_deleted_working_directory_is_one_line(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    script = (f"cd {gone} && rmdir {gone} && {sys.executable} -m archguard check "
              f"--no-semgrep .")
    done = subprocess.run(["bash", "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.decode().strip().splitlines() == [
        "archguard: error: the current working directory no longer exists"]


# --- unusable cache entries and hostile baselines -----------------------------------------

def test_cache_entries_of_the_wrong_shape_are_misses(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pickle

    expected = check(project, "--format", "json", "--no-cache", capsys=capsys)[1]
    assert check(project, "--format", "json", capsys=capsys)[1] == expected
    folder = project / cache.CACHE_DIR_NAME
    for damage in ("memo", "pack", "stamps", "durable"):
        for file in folder.glob("*.index"):
            payload = pickle.loads(file.read_bytes())
            if damage == "memo":
                payload["memo"] = {k: (("p", "1", 1, "AG1", "r", "m", 1, 1, "", "e"),)
                                   for k in payload["memo"]}
            elif damage == "stamps":
                payload["stamps"] = {k: (1, 2, 3, 4, 5) for k in payload["stamps"]}
            elif damage == "durable":
                payload["durable"] = {k: "not what the project pass stored"
                                      for k in payload["durable"]}
            file.write_bytes(pickle.dumps(payload))
        for file in folder.glob("*.pack"):
            payload = pickle.loads(file.read_bytes())
            if damage == "pack":
                payload["results"] = {k: (v[0], pickle.dumps(["wrong"]), v[2])
                                      for k, v in payload["results"].items()}
            file.write_bytes(pickle.dumps(payload))
        code, out, err = check(project, "--format", "json", capsys=capsys)
        assert (code, out) == (1, expected), err


@pytest.mark.parametrize(("content", "reason"), [
    ('{"version": 1, "findings": [{"code": "AG201", "path": "a.py", "fingerprint": "f", '
     '"line": 1e999}]}', "malformed baseline entry"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"version": 1, "findings": 5}', "malformed baseline entry"),
    ("\xff\xfe", "not a valid baseline file"),
])
def test_a_hostile_baseline_is_a_clear_exit_2(project: Path, capsys: pytest.CaptureFixture[str],
                                              content: str, reason: str) -> None:
    baseline = project / "b.json"
    baseline.write_text(content, encoding="latin-1")
    code, _, err = check(project, "--baseline", str(baseline), capsys=capsys)
    assert code == 2 and reason in err and err.count("\n") == 1 and "internal" not in err


# --- a gate that goes green by mistake ----------------------------------------------------

@pytest.mark.parametrize(("key", "value"), [
    ("modules-dir", '"cpv3/modulez"'), ("tests-dir", '"testz"'),
    ("settings-module", '"cpv3/settingz.py"'),
])
def test_a_configured_path_that_does_not_exist_is_exit_2_naming_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: str) -> None:
    root = make_project(tmp_path / "p", PYPROJECT + f"{key} = {value}\n")
    code, _, err = check(root, capsys=capsys)
    assert code == 2 and f"'{key}' = {value.replace(chr(34), chr(39))}" in err
    assert main(["graph", str(root)]) == 2


def test_each_path_of_a_key_that_takes_several_must_exist(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", PYPROJECT + 'modules-dir = ["cpv3/modules", '
                                                    '"cpv3/extra"]\n')
    code, _, err = check(root, capsys=capsys)
    assert code == 2 and "'modules-dir' = 'cpv3/extra': folder not found" in err
    (root / "cpv3" / "extra").mkdir()
    assert check(root, capsys=capsys)[0] == 1


@pytest.mark.parametrize("select", ["", ",", " , "])
def test_an_empty_selection_is_exit_2(project: Path, capsys: pytest.CaptureFixture[str],
                                      select: str) -> None:
    code, out, err = check(project, "--select", select, capsys=capsys)
    assert code == 2 and "--select is empty" in err and "All checks passed" not in out


def test_paths_without_python_files_are_not_a_pass(project: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# docs\n")
    (project / "cpv3" / "empty").mkdir()
    for where in (project / "docs", project / "cpv3" / "empty"):
        code, out, err = check(where, capsys=capsys)
        assert code == 2 and "no Python file to check" in err and "passed" not in out


def _user_namespace() -> bool:
    if not shutil.which("unshare"):
        return False
    done = subprocess.run(["unshare", "--user", "--map-user=65534", "true"],
                          capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(not _user_namespace(), reason="needs unshare --user to read as a "
                    "non-root user (root ignores permissions)")
def test_unreadable_files_and_folders_are_reported(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    locked = root / "cpv3" / "locked"
    locked.mkdir()
    (locked / "hidden.py").write_text(RELATIVE)
    (root / "cpv3" / "secret.py").write_text("x = 1\n")
    (root / "cpv3" / "secret.py").chmod(0)
    locked.chmod(0)
    for folder in (tmp_path, root, *root.rglob("*")):
        if folder.is_dir() and folder != locked:
            folder.chmod(0o777)
    try:
        done = subprocess.run(
            ["unshare", "--user", "--map-user=65534", sys.executable, "-m", "archguard",
             "check", str(root), "--no-semgrep", "--no-cache", "--format", "concise"],
            capture_output=True, timeout=120, env={**os.environ, "ARCHGUARD_NO_SEMGREP": "1"})
    finally:
        locked.chmod(0o755)
    out = done.stdout.decode()
    assert done.returncode == 1, done.stderr
    assert "cpv3/locked:1:1: AG000 [parse-error] cannot read folder: Permission denied" in out
    assert "cpv3/secret.py:1:1: AG000 [parse-error] cannot read file: Permission denied" in out


def test_symlinked_module_folders_are_followed_once_and_loops_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", '[tool.archguard]\nmodule-names = ["media", '
                                        '"users"]\n')
    real = tmp_path / "elsewhere" / "users"
    real.mkdir(parents=True)
    for name in MODULE_FILES:
        (real / name).write_text("")
    (real / "models.py").write_text(RELATIVE)
    (root / "cpv3" / "modules" / "users").symlink_to(real, target_is_directory=True)
    (real / "loop").symlink_to(root / "cpv3", target_is_directory=True)
    code, out, err = check(root, "--format", "concise", "--no-cache", capsys=capsys)
    assert code == 1, err
    assert "cpv3/modules/users/models.py:3:1: AG201" in out  # its files are analysed
    assert "cpv3/modules/users/loop:1:1: AG000 [parse-error] symlinked folder already " \
           "checked as 'cpv3' (a loop?)" in out
    # the module folders (the layout rules' view) follow the loop once too
    from archguard.project.discovery import locate_project, module_folders

    _, folders = module_folders(locate_project([root]))
    users = next(f for f in folders if f.name == "users")
    assert not any(p.startswith("loop/") and p.count("/") > 4 for p in users.python_files)
    assert "models.py" in users.python_files


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], check=True, capture_output=True)


@pytest.mark.skipif(not shutil.which("git"), reason="needs git")
def test_since_reports_folder_findings_only_when_the_folder_gained_or_lost_a_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p", '[tool.archguard]\nmodule-names = ["media"]\n'
                                        'select = ["AG1"]\n')
    stray = root / "cpv3" / "modules" / "stray"  # AG104: not one of the configured modules
    stray.mkdir()
    (stray / "a.py").write_text("x = 1\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "one", "--no-gpg-sign")
    (stray / "a.py").write_text("x = 2\n")  # an edit: the folder's finding is not new

    def reported() -> set[tuple[str, str]]:
        code, out, _ = check(root, "--since", "HEAD", "--format", "json", capsys=capsys)
        return {(c, p) for c, p, _ in json_findings(out)}

    folder_finding = ("AG104", "cpv3/modules/stray")
    assert folder_finding in {(c, p) for c, p, _ in json_findings(
        check(root, "--format", "json", capsys=capsys)[1])}  # it exists, before REV too
    assert reported() == {("AG101", "cpv3/modules/stray/a.py")}  # the edited file's own
    (stray / "b.py").write_text("y = 1\n")  # an added file: the folder changed
    assert folder_finding in reported()
    (stray / "b.py").unlink()
    _git(root, "mv", "cpv3/modules/stray/a.py", "cpv3/modules/stray/c.py")  # a rename
    assert folder_finding in reported()
    _git(root, "mv", "cpv3/modules/stray/c.py", "cpv3/modules/stray/a.py")
    (stray / "a.py").unlink()  # a removal (the folder then holds nothing: no finding)
    (stray / "keep.py").write_text("")
    assert folder_finding in reported()


@pytest.mark.skipif(not shutil.which("git"), reason="needs git")
def test_since_runs_git_without_fsmonitor_hooks_or_pager(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "one", "--no-gpg-sign")
    ran = tmp_path / "ran"
    hook = tmp_path / "evil.sh"
    hook.write_text(f"#!/bin/sh\ntouch {ran}\n")
    hook.chmod(0o755)
    _git(root, "config", "core.fsmonitor", str(hook))
    _git(root, "config", "core.pager", str(hook))
    code, _, err = check(root, "--since", "HEAD", capsys=capsys)
    assert code == 0, err
    assert not ran.exists()


# --- validation ----------------------------------------------------------------------------

@pytest.mark.parametrize(("table", "message"), [
    ('[tool.archguard.per-file-ignores]\n"cpv3/*" = ["AG999"]\n',
     "unknown rule code or prefix 'AG999' in [tool.archguard.per-file-ignores] 'cpv3/*'"),
    ('[tool.archguard.per-file-ignores]\n"cpv3/*" = "AG201"\n',
     "'tool.archguard.per-file-ignores.\"cpv3/*\"' must be a list of a string, got str"),
    ('[tool.archguard.per-file-ignores]\n"../x.py" = ["AG201"]\n', "no '..'"),
    ('[tool.archguard.per-file-ignores]\n"/abs/x.py" = ["AG201"]\n', "the absolute path"),
    ('[tool.archguard.per-file-ignores]\n"a\\u0000b" = ["AG201"]\n', "a NUL character"),
    ('[tool.archguard.roles]\nservice = "models.py"\n',
     "'tool.archguard.roles.service' and 'tool.archguard.roles.models' are both 'models.py'"),
    ('[tool.archguard.roles]\nrouter = ["api.py", "models.py"]\n',
     "'tool.archguard.roles.router' and 'tool.archguard.roles.models' are both 'models.py'"),
    ('[tool.archguard.roles]\nrouter = ""\n', "'tool.archguard.roles.router' has the pattern ''"),
    ('[tool.archguard.roles]\nrouter = "/abs/router.py"\n', "has the pattern '/abs/router.py'"),
    ('[tool.archguard.roles]\nrouter = "../router.py"\n', "has the pattern '../router.py'"),
    ('[tool.archguard]\nmodules-dir = ["cpv3/modules", "../x"]\n', "no '..'"),
    ('[tool.archguard]\nmodules-dir = "../elsewhere"\n', "no '..'"),
    ('[tool.archguard]\ntests-dir = "/tmp"\n', "the absolute path"),
    ('[tool.archguard]\nexclude = ["a\\u0000"]\n', "'tool.archguard.exclude' contains a NUL"),
    ('[tool.archguard]\nmax-file-size-kb = 0\n', "'tool.archguard.max-file-size-kb' must be"),
])
def test_bad_config_values_are_exit_2_naming_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, message: str) -> None:
    root = make_project(tmp_path / "p", '[tool.archguard]\nmodule-names = ["media"]\n')
    text = (root / "pyproject.toml").read_text()
    if table.startswith("[tool.archguard]\n"):
        text += table.split("\n", 1)[1]
    else:
        text += table
    (root / "pyproject.toml").write_text(text)
    code, _, err = check(root, capsys=capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_a_broken_unrelated_pyproject_above_the_project_is_skipped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[broken\n")
    root = make_project(tmp_path / "p")
    code, out, _ = check(root, "--format", "concise", capsys=capsys)
    assert code == 1 and "AG201" in out
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # its own, no section
    code, out, _ = check(root, "--format", "concise", capsys=capsys)
    assert code == 1 and f"skipped {tmp_path / 'pyproject.toml'} (invalid TOML" in out
    (root / "pyproject.toml").write_text("[broken\n")  # the project's own: an error
    assert check(root, capsys=capsys)[0] == 2


@pytest.mark.parametrize(("code", "message"), [
    ("'  '", "has the code ''"), ("AG2", "overlaps archguard's"),
    ("AG2015", "overlaps archguard's AG201"), ("ag20", "overlaps archguard's"),
    ("'A,B'", "has the code 'A,B'"), ("ALL", "'ALL' is not a code"),
])
def test_custom_semgrep_rule_codes_are_validated(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str, message: str) -> None:
    root = make_project(tmp_path / "p", PYPROJECT + 'semgrep-rules = ["rules"]\n')
    (root / "rules").mkdir()
    (root / "rules" / "mine.yaml").write_text(
        "rules:\n  - id: mine\n    pattern: foo(...)\n    message: m\n    languages: [python]\n"
        f"    severity: ERROR\n    metadata:\n      archguard-code: {code}\n")
    exit_code, _, err = check(root, capsys=capsys)
    assert exit_code == 2 and message in err, err


def test_control_characters_in_messages_and_hints_are_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p")
    (root / "cpv3" / "modules" / "media" / "schemas.py").write_text(
        "from __future__ import annotations\n\nfrom enum import Enum\n\n\n"
        "class Kind(str, Enum):\n    A = \"a\\x1b[2J\"\n    B = \"b\\x00\"\n    C = 'say \"hi\"'\n")
    for output_format in ("full", "concise", "github"):
        code, out, _ = check(root, "--format", output_format, "--select", "AG303",
                             capsys=capsys)
        assert code == 1 and "\x1b" not in out and "\x00" not in out
    code, out, _ = check(root, "--format", "json", "--select", "AG303", capsys=capsys)
    hint = json.loads(out)["diagnostics"][0]["hint"]
    literal = hint.split("e.g. Kind = ", 1)[1]
    assert literal.startswith("Literal[") and literal.endswith("]")
    assert ast.literal_eval("(" + literal[len("Literal["):-1] + ",)") == (
        "a\x1b[2J", "b\x00", 'say "hi"')  # valid Python, the values exactly


def test_lines_are_split_as_python_splits_them(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "p")
    source = ("from __future__ import annotations\n\x0c\n# a\u2028comment\x1cwith\x85odd "
              "breaks\r\nx = 1\rfrom .schemas import MediaRead\n")
    (root / "cpv3" / "modules" / "media" / "service.py").write_bytes(source.encode())
    code, out, _ = check(root, "--format", "json", "--select", "AG201", capsys=capsys)
    (found,) = json.loads(out)["diagnostics"]
    assert (found["line"], found["column"]) == (5, 1)
    code, out, _ = check(root, "--format", "full", "--select", "AG201", "--no-color",
                         capsys=capsys)
    assert "       5 | from .schemas import MediaRead\n" in out


def test_semgrep_columns_follow_a_bom_and_a_pep263_encoding(tmp_path: Path) -> None:
    from archguard.semgrep.process import _Sources

    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbfx = foo(1)\n")
    (tmp_path / "lat.py").write_bytes(b"# -*- coding: latin-1 -*-\nx = \"\xe9\xe9\"; foo(2)\n")
    (tmp_path / "utf.py").write_bytes("x = \"éé\"; foo(3)\n".encode())
    sources = _Sources(tmp_path)
    # semgrep's (byte) columns as it reports them for these files, and the native ones
    assert sources.span("bom.py", 1, 8, 1, 14, False)[:4] == (1, 5, 1, 11)
    assert sources.span("lat.py", 2, 11, 2, 17, False)[:4] == (2, 11, 2, 17)
    assert sources.span("utf.py", 1, 13, 1, 19, False)[:4] == (1, 11, 1, 17)


def test_baseline_accepts_no_semgrep(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "b.json"
    assert main(["baseline", str(project), "--no-semgrep", "-o", str(target)]) == 0
    assert json.loads(target.read_text())["findings"][0]["code"] == "AG201"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_init_and_a_fifo_baseline_do_not_hang(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", "")
    (root / "pyproject.toml").unlink()
    os.mkfifo(root / "cpv3" / "modules" / "media" / "pipe.py")
    os.mkfifo(root / "base.json")
    done = cli("init", str(root), timeout=60)
    assert done.returncode == 0, done.stderr
    done = cli("check", str(root), "--no-semgrep", "--baseline", str(root / "base.json"),
               timeout=60)
    assert done.returncode == 2
    assert b"cannot read baseline" in done.stderr and b"not a regular file" in done.stderr


def test_an_earlier_signal_does_not_end_a_later_in_process_run(
        capsys: pytest.CaptureFixture[str]) -> None:
    """`main` is the library's entry point: a SIGTERM that ended one run is forgotten by the
    next."""
    from archguard import cli

    cli._signalled.append(signal.SIGTERM)  # as the handler leaves it after a signal
    assert cli.main(["rules", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)
