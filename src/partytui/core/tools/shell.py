"""Bash for agents: one ``bash -c`` per call, run in the workspace, in its own process group.

Confinement comes in two strengths:

* **static check (always on)** — before running, the command is split the way a shell would and refused
  if a word obviously reaches outside the workspace: ``~``, a ``cd`` that leaves it, ``..`` or a symlink
  that resolves outside, or an absolute path other than the workspace and common system locations
  (``/usr``, ``/bin``, ``/lib*``, ``/opt``, ``/tmp``, ``/var/tmp``, the directories on ``PATH`` and a few
  ``/dev`` files). ``/tmp`` is allowed because compilers, test runners and ``mktemp`` need it. This cannot
  see through variables, command substitution or programs that open files themselves.
* **bubblewrap (when it works here)** — ``bwrap`` mounts the whole filesystem read-only, gives the command a
  private ``/tmp``, hides ``/root``, ``/home`` and ``$HOME``, and binds only the workspace writable, in a new
  PID namespace that dies with partytui. System files stay readable; the network is left alone (package
  installs need it). It is used when ``bwrap`` runs successfully on this machine (Debian package
  ``bubblewrap``); otherwise the static check is the only guard. ``PARTYTUI_BASH_SANDBOX`` chooses:
  ``auto`` (default), ``bwrap`` (required; refuse to run without it) or ``off``.

Either way the environment is scrubbed of secrets, ``HOME`` is the workspace, and every process the
command started is killed when it ends or times out (in static mode a process that calls ``setsid``
escapes the group; bubblewrap's PID namespace catches those too).
"""

from __future__ import annotations

import asyncio
import codecs
import os
import re
import shlex
import shutil
import signal
from pathlib import Path
from typing import Literal

from pydantic import Field

from .base import Tool, ToolContext, ToolError, ToolInput

SANDBOX_ENV = "PARTYTUI_BASH_SANDBOX"
SandboxMode = Literal["auto", "bwrap", "off"]

# A variable whose name holds one of these never reaches a command.
SECRET_MARKERS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE")
# Shell start-up hooks and the user's SSH agent are not the agent's to use.
DROPPED_VARS = frozenset({"BASH_ENV", "ENV", "PROMPT_COMMAND", "SSH_AUTH_SOCK", "OLDPWD", "CDPATH"})

SYSTEM_PREFIXES = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/tmp", "/var/tmp")
DEVICE_FILES = frozenset(
    {"/dev/null", "/dev/zero", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/random", "/dev/urandom",
     "/dev/tty"}
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ATTACHED_OPTION = re.compile(r"^-[A-Za-z](/.*)$")  # -I/usr/include
_OPERATOR_CHARS = set("();<>|&")
_CHUNK = 1 << 16
KILL_GRACE_S = 2.0
NOTE_ROOM = 160  # chars kept free under the output cap for the truncation note and the status line
DRAIN_S = 0.5  # how long to wait for output after the group is gone (a setsid escapee may hold the pipe)


# ── environment ───────────────────────────────────────────────────────────────


def scrubbed_env(workspace: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a command sees: ours minus secrets and start-up hooks, HOME set to the workspace."""
    env = {}
    for name, value in (os.environ if base is None else base).items():
        upper = name.upper()
        if upper.startswith("ANTHROPIC") or any(m in upper for m in SECRET_MARKERS):
            continue
        if upper in DROPPED_VARS or upper.startswith("BASH_FUNC_"):
            continue
        env[name] = value
    ws = os.path.realpath(workspace)
    env["HOME"] = ws
    env["PWD"] = ws
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    return env


# ── the static check ──────────────────────────────────────────────────────────


def _allowed_absolute(path: str, root: str) -> bool:
    norm = os.path.normpath(path)
    if norm in DEVICE_FILES or norm.startswith("/dev/fd/") or norm.startswith("/proc/self/"):
        return True
    real = os.path.realpath(norm)
    if Path(real).is_relative_to(root):
        return True
    prefixes = list(SYSTEM_PREFIXES)
    prefixes += [d for d in os.environ.get("PATH", "").split(os.pathsep) if d.startswith("/") and d != "/"]
    for prefix in prefixes:
        for candidate in (norm, real):
            if Path(candidate).is_relative_to(prefix) or Path(candidate).is_relative_to(os.path.realpath(prefix)):
                return True
    return False


def _words(command: str) -> list[str]:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""  # bash only starts a comment at a word's start; checking comments is harmless
    try:
        return list(lexer)
    except ValueError as exc:
        raise ToolError(f"Bash: could not parse the command ({exc}); check its quoting") from None


def check_command(command: str, workspace: Path) -> None:
    """Refuse a command that obviously reaches outside the workspace (see the module docstring)."""
    if "\x00" in command:
        raise ToolError("Bash: the command contains a NUL byte")
    root = os.path.realpath(workspace)
    cwd = root
    words = _words(command)
    at_start, cd_next = True, False

    def refuse(word: str, why: str) -> ToolError:
        return ToolError(
            f"Bash: refused: {why}: {word!r}. Commands run in the workspace ({root}); "
            "use workspace-relative paths."
        )

    for word in words:
        if word and set(word) <= _OPERATOR_CHARS:
            at_start, cd_next = word not in ("<", ">", ">>", ">&", "<<", "<<<", "&>", ">|"), False
            continue
        if word.startswith("~"):
            raise refuse(word, "'~' is outside the workspace")
        if cd_next:
            target = os.path.realpath(os.path.join(cwd, word)) if word not in ("", "-") else root
            if not Path(target).is_relative_to(root):
                raise refuse(word, "cd leaves the workspace")
            cwd, cd_next = target, False
            continue
        if at_start and word in ("cd", "pushd"):
            cd_next, at_start = True, False
            continue
        at_start = False
        if _URL.match(word):
            continue
        parts = [word]
        if m := _ATTACHED_OPTION.match(word):
            parts.append(m.group(1))
        if "=" in word:  # --out=/x, VAR=/x:/y
            parts += [p for chunk in word.split("=")[1:] for p in chunk.split(":")]
        for part in parts:
            if part.startswith("/"):
                if not _allowed_absolute(part, root):
                    raise refuse(word, "absolute path outside the workspace")
            elif part and not part.startswith("-"):
                # relative words: '..' or a symlink inside the workspace may lead out
                real = os.path.realpath(os.path.join(cwd, part))
                if not Path(real).is_relative_to(root):
                    raise refuse(word, "path leads outside the workspace")


# ── bubblewrap ────────────────────────────────────────────────────────────────

_bwrap_status: tuple[bool, str] | None = None


def bwrap_argv(workspace: Path) -> list[str]:
    ws = os.path.realpath(workspace)
    argv = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    home = os.environ.get("HOME", "")
    covered: list[str] = []
    # private temp dirs, and the homes (where keys and the user's sessions live) hidden under empty ones
    for path in dict.fromkeys(os.path.realpath(p) for p in ("/tmp", "/var/tmp", "/root", "/home", home) if p):
        if path == "/" or not os.path.isdir(path):
            continue
        if any(Path(path).is_relative_to(c) for c in covered):
            continue
        covered.append(path)
        argv += ["--tmpfs", path]
    # the workspace last, so it shows through any tmpfs laid over one of its parents
    argv += ["--bind", ws, ws, "--chdir", ws, "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--"]
    return argv


async def bwrap_available(workspace: Path) -> tuple[bool, str]:
    """Whether bubblewrap runs here (probed once per process), and why not."""
    global _bwrap_status
    if _bwrap_status is not None:
        return _bwrap_status
    if shutil.which("bwrap") is None:
        _bwrap_status = (False, "bwrap is not installed (Debian package: bubblewrap)")
        return _bwrap_status
    try:
        proc = await asyncio.create_subprocess_exec(
            *bwrap_argv(workspace), "true",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(proc.communicate(), 10)
        ok = proc.returncode == 0
        _bwrap_status = (ok, "" if ok else err.decode("utf-8", "replace").strip() or f"exit {proc.returncode}")
    except (OSError, asyncio.TimeoutError) as exc:
        _bwrap_status = (False, f"bwrap did not start: {exc}")
    return _bwrap_status


def sandbox_setting() -> SandboxMode:
    value = os.environ.get(SANDBOX_ENV, "auto").strip().lower() or "auto"
    if value not in ("auto", "bwrap", "off"):
        raise ToolError(f"{SANDBOX_ENV}={value!r} is not one of auto, bwrap, off")
    return value  # type: ignore[return-value]


# ── running ───────────────────────────────────────────────────────────────────


class CappedOutput:
    """Keeps the head and tail of a stream within ``cap`` characters and counts what it dropped."""

    def __init__(self, cap: int) -> None:
        self.head_cap = cap // 2
        self.tail_cap = cap - self.head_cap
        self.head = ""
        self.tail = ""
        self.dropped = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes, final: bool = False) -> None:
        text = self._decoder.decode(data, final=final)
        if len(self.head) < self.head_cap:
            room = self.head_cap - len(self.head)
            self.head += text[:room]
            text = text[room:]
        if not text:
            return
        self.tail += text
        if len(self.tail) > 2 * self.tail_cap:  # trim in batches, not per chunk
            self.dropped += len(self.tail) - self.tail_cap
            self.tail = self.tail[-self.tail_cap :]

    def text(self) -> str:
        self.feed(b"", final=True)
        tail = self.tail
        dropped = self.dropped
        if len(tail) > self.tail_cap:
            dropped += len(tail) - self.tail_cap
            tail = tail[-self.tail_cap :]
        if dropped:
            return f"{self.head}\n… [truncated {dropped} chars]\n{tail}"
        return self.head + tail


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class BashTool(Tool):
    name = "Bash"
    description = (
        "Run a bash command in the workspace (the working directory; HOME is the workspace too). "
        "stdout and stderr are merged. timeout is in milliseconds. Commands that reach outside the "
        "workspace are refused; background processes are stopped when the command ends."
    )

    class Input(ToolInput):
        command: str = Field(min_length=1)
        timeout: int | None = Field(default=None, gt=0, description="Milliseconds before the command is killed")
        description: str | None = Field(default=None, description="What the command does, in a few words")

    def __init__(self, sandbox: SandboxMode | None = None) -> None:
        self.sandbox = sandbox  # None: read PARTYTUI_BASH_SANDBOX at each call

    async def _use_bwrap(self, workspace: Path) -> bool:
        mode = self.sandbox or sandbox_setting()
        if mode == "off":
            return False
        ok, why = await bwrap_available(workspace)
        if mode == "bwrap" and not ok:
            raise ToolError(f"Bash: the bwrap sandbox is required but does not work here: {why}")
        return ok

    async def run(self, args: Input, ctx: ToolContext) -> str:
        workspace = Path(os.path.realpath(ctx.workspace))
        check_command(args.command, workspace)
        limits = ctx.limits
        timeout_s = min(args.timeout / 1000 if args.timeout else limits.bash_timeout_s, limits.bash_max_timeout_s)
        argv = ["bash", "--noprofile", "--norc", "-c", args.command]
        if await self._use_bwrap(workspace):
            argv = bwrap_argv(workspace) + argv
        # Leave room under the cap for the truncation note and the exit-code or timeout line,
        # so the loop's own cap never has to cut the result again.
        cap = limits.output_cap_chars
        output = CappedOutput(max(cap - NOTE_ROOM, cap // 2, 2))
        rc, timed_out = await self._execute(argv, workspace, timeout_s, output)
        text = output.text().rstrip("\n")
        if timed_out:
            raise ToolError(f"{text}\n\ntimed out after {timeout_s:g}s; the command and its children were killed".lstrip())
        if rc != 0:
            status = f"killed by signal {-rc}" if rc < 0 else f"exit code {rc}"
            raise ToolError(f"{text}\n\n{status}".lstrip())
        return text or "(no output)"

    async def _execute(
        self, argv: list[str], workspace: Path, timeout_s: float, output: CappedOutput
    ) -> tuple[int, bool]:
        # Our own pipe, not asyncio's: Process.wait() would otherwise wait for every holder of the pipe,
        # background children included, and a timeout could never fire on the shell alone.
        read_fd, write_fd = os.pipe()
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                cwd=workspace,
                env=scrubbed_env(workspace),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                start_new_session=True,
            )
        except OSError as exc:
            os.close(read_fd)
            raise ToolError(f"Bash: could not start bash: {exc.strerror}") from None
        finally:
            os.close(write_fd)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=_CHUNK)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb", 0)
        )

        async def pump() -> None:
            while chunk := await reader.read(_CHUNK):
                output.feed(chunk)

        pumping = asyncio.create_task(pump())
        timed_out = False
        try:
            try:
                await asyncio.wait_for(proc.wait(), timeout_s)
            except asyncio.TimeoutError:
                timed_out = True
                _signal_group(proc.pid, signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), KILL_GRACE_S)
                except asyncio.TimeoutError:
                    pass
        finally:
            # whatever it left running in its group goes too (a `sleep 1000 &`, a server)
            _signal_group(proc.pid, signal.SIGKILL)
            if proc.returncode is None:
                await proc.wait()
            try:
                await asyncio.wait_for(asyncio.shield(pumping), DRAIN_S)
            except asyncio.TimeoutError:
                pumping.cancel()
            except asyncio.CancelledError:
                pumping.cancel()
                raise
            finally:
                transport.close()
        return proc.returncode or 0, timed_out


BASH_TOOL = BashTool()
