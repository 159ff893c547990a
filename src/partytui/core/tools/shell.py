"""Bash for agents: one ``bash -c`` per call, run in the workspace, in its own process group.

Confinement comes in two strengths (docs/security.md says in full what each holds):

* **bubblewrap (when it works here)** — ``bwrap`` mounts the whole filesystem read-only, gives the command a
  private ``/tmp``, hides ``/root``, ``/home`` and ``$HOME``, binds only the workspace writable, drops every
  capability (so root inside cannot remount anything) and, where the kernel allows, runs in a user namespace
  of its own that may not create more; all in a PID namespace that dies with partytui. System files stay
  readable; the network is left alone (package installs need it). ``PARTYTUI_BASH_SANDBOX`` chooses:
  ``auto`` (default), ``bwrap`` (required; refuse to run without it) or ``off``.
* **static check only (no bubblewrap)** — before running, the command is split the way a shell would and
  refused if a word obviously reaches outside the workspace: ``~``, a ``cd`` that leaves it, ``..`` or a
  symlink that resolves outside, or an absolute path other than the workspace and common system locations.
  It cannot see through variables, expansions, ``eval``, interpreters or programs that open files
  themselves, and it lets writes to ``/tmp`` and the ``PATH`` folders through. So an unsandboxed Bash call
  is said on screen and in the log, and asks the person first unless they chose otherwise
  (``--allow-unsandboxed-bash``, ``PARTYTUI_UNSANDBOXED_BASH=allow`` or ``unsandboxed_bash: allow``).

Either way the environment is scrubbed of secrets, ``HOME`` is the workspace, and every process the
command started is killed when it ends, times out, or partytui dies — even by SIGKILL: a small watchdog
holds a pipe from partytui and kills the command's process group when that pipe closes without a word
(in static mode a process that calls ``setsid`` leaves the group; bubblewrap's PID namespace catches those).
"""

from __future__ import annotations

import asyncio
import codecs
import os
import re
import shlex
import shutil
import signal
import weakref
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..truth.events import ErrorEvent
from ..truth.secrets import holds_secret
from .base import Tool, ToolContext, ToolError, ToolInput
from .team import PERMISSION_DENIED

SANDBOX_ENV = "PARTYTUI_BASH_SANDBOX"
SandboxMode = Literal["auto", "bwrap", "off"]
UNSANDBOXED_ENV = "PARTYTUI_UNSANDBOXED_BASH"
UNSANDBOXED_CHOICES = ("ask", "allow")

# Shell start-up hooks and the user's SSH agent are not the agent's to use.
DROPPED_VARS = frozenset({"BASH_ENV", "ENV", "PROMPT_COMMAND", "SSH_AUTH_SOCK", "OLDPWD", "CDPATH"})

SYSTEM_PREFIXES = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/tmp", "/var/tmp")
DEVICE_FILES = frozenset(
    {"/dev/null", "/dev/zero", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/random", "/dev/urandom", "/dev/tty"}
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ATTACHED_OPTION = re.compile(r"^-[A-Za-z](/.*)$")  # -I/usr/include
_OPERATOR_CHARS = set("();<>|&")
_CHUNK = 1 << 16
KILL_GRACE_S = 2.0
NOTE_ROOM = 160  # chars kept free under the output cap for the truncation note and the status line
DRAIN_S = 0.5  # how long to wait for output after the group is gone (a setsid escapee may hold the pipe)
# The watchdog: reads one line from partytui; EOF without "done" means partytui died, so the group goes.
WATCHDOG = 'read -r word; [ "$word" = done ] || kill -s KILL -- "-$1" 2>/dev/null'
# per team: the agents already told that their Bash runs unsandboxed
_told: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()


# ── environment ───────────────────────────────────────────────────────────────


def scrubbed_env(workspace: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a command sees: ours minus secrets and start-up hooks, HOME set to the workspace."""
    env = {}
    for name, value in (os.environ if base is None else base).items():
        upper = name.upper()
        if upper.startswith("ANTHROPIC") or holds_secret(name, value):  # a DATABASE_URL with a password too
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


_PROC_WAY_OUT = re.compile(r"^/proc/[^/]+/(root|cwd|exe|map_files)(/|$)")  # links to the whole filesystem
_CLIMB = re.compile(r"(^|/)\.\.(/|$)")


def _allowed_absolute(path: str, root: str) -> bool:
    if _PROC_WAY_OUT.match(path):
        return False
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
            f"Bash: refused: {why}: {word!r}. Commands run in the workspace ({root}); use workspace-relative paths."
        )

    for word in words:
        if word and set(word) <= _OPERATOR_CHARS:
            at_start, cd_next = word not in ("<", ">", ">>", ">&", "<<", "<<<", "&>", ">|"), False
            continue
        if word.startswith("~"):
            raise refuse(word, "'~' is outside the workspace")
        if ("$" in word or "`" in word) and (cd_next or _CLIMB.search(word)):
            # '$HOME/..', 'cd ${PWD%/*}': where it leads is only known at run time
            raise refuse(word, "a path built at run time (a cd to it, or '..' after it) could leave the workspace")
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
_bwrap_userns = False  # whether this bwrap and kernel give the sandbox a user namespace of its own


def bwrap_argv(workspace: Path, *, userns: bool | None = None) -> list[str]:
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
    argv += ["--bind", ws, ws, "--chdir", ws, "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"]
    # root inside keeps no capability: without this it could remount / read-write (bwrap run as root keeps them)
    argv += ["--cap-drop", "ALL"]
    if _bwrap_userns if userns is None else userns:
        argv += ["--unshare-user", "--disable-userns"]
    return argv + ["--"]


async def bwrap_available(workspace: Path) -> tuple[bool, str]:
    """Whether bubblewrap runs here (probed once per process), and why not."""
    global _bwrap_status
    if _bwrap_status is not None:
        return _bwrap_status
    if shutil.which("bwrap") is None:
        _bwrap_status = (False, "bwrap is not installed (Debian package: bubblewrap)")
        return _bwrap_status
    global _bwrap_userns
    why = ""
    for userns in (True, False):  # a user namespace when the kernel gives one; dropped capabilities always
        try:
            proc = await asyncio.create_subprocess_exec(
                *bwrap_argv(workspace, userns=userns),
                "true",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            _out, err = await asyncio.wait_for(proc.communicate(), 10)
        except (TimeoutError, OSError) as exc:
            why = f"bwrap did not start: {exc}"
            continue
        if proc.returncode == 0:
            _bwrap_userns = userns
            _bwrap_status = (True, "")
            return _bwrap_status
        why = err.decode("utf-8", "replace").strip() or f"exit {proc.returncode}"
    _bwrap_status = (False, why)
    return _bwrap_status


def sandbox_setting() -> SandboxMode:
    value = os.environ.get(SANDBOX_ENV, "auto").strip().lower() or "auto"
    if value not in ("auto", "bwrap", "off"):
        raise ToolError(f"{SANDBOX_ENV}={value!r} is not one of auto, bwrap, off")
    return value  # type: ignore[return-value]


def unsandboxed_choice(value: str | None = None) -> str:
    """``ask`` or ``allow``: what a Bash call without a sandbox does (``value`` when the run chose, else the env)."""
    chosen = (value or os.environ.get(UNSANDBOXED_ENV) or "ask").strip().lower()
    if chosen not in UNSANDBOXED_CHOICES:
        raise ToolError(f"{UNSANDBOXED_ENV}={chosen!r} is not one of {', '.join(UNSANDBOXED_CHOICES)}")
    return chosen


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


async def _watchdog(pgid: int) -> tuple[asyncio.subprocess.Process, int] | None:
    """Start the process that kills group ``pgid`` if partytui dies; returns the pipe's end that keeps it waiting.

    The write end is held by partytui alone (Python's pipes are not inherited), so the kernel closes it when
    partytui exits in any way, SIGKILL included; ``_release`` tells the watchdog to go quietly.
    """
    read_fd, write_fd = os.pipe()
    spawn = asyncio.ensure_future(
        asyncio.create_subprocess_exec(
            "sh",
            "-c",
            WATCHDOG,
            "sh",
            str(pgid),
            stdin=read_fd,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # out of the group it guards, and away from the terminal's signals
        )
    )
    try:
        proc = await asyncio.shield(spawn)
    except OSError:
        os.close(write_fd)
        return None  # no watchdog: the group still dies with the call, only not with a killed partytui
    except asyncio.CancelledError:
        started = (await asyncio.gather(spawn, return_exceptions=True))[0]
        watchdog = _release((started, write_fd)) if isinstance(started, asyncio.subprocess.Process) else None
        if watchdog is None:
            os.close(write_fd)
        else:
            await watchdog.wait()
        raise
    finally:
        os.close(read_fd)
    return proc, write_fd


def _release(guard: tuple[asyncio.subprocess.Process, int] | None) -> asyncio.subprocess.Process | None:
    """Tell the watchdog the call is over (it exits without killing); returns it to be waited for."""
    if guard is None:
        return None
    proc, write_fd = guard
    try:
        os.write(write_fd, b"done\n")
    except OSError:
        pass
    finally:
        os.close(write_fd)
    return proc


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

    async def _sandbox(self, workspace: Path) -> tuple[bool, str]:
        """Whether this call runs under bubblewrap, and if not, why not (in words for the person)."""
        mode = self.sandbox or sandbox_setting()
        if mode == "off":
            return False, f"{SANDBOX_ENV}=off"
        ok, why = await bwrap_available(workspace)
        if mode == "bwrap" and not ok:
            raise ToolError(f"Bash: the bwrap sandbox is required but does not work here: {why}")
        return ok, why

    async def _unsandboxed(self, command: str, why: str, ctx: ToolContext) -> None:
        """Say that Bash runs without a sandbox (once per agent and session), and ask the person unless they chose not."""
        team = ctx.team
        if team is None:
            return  # a tool run outside a team (a unit test, the benchmark) has nobody to tell or ask
        choice = unsandboxed_choice(ctx.limits.unsandboxed_bash)
        told = _told.setdefault(team, set())
        if ctx.agent not in told:
            told.add(ctx.agent)
            then = "each Bash call asks you first" if choice == "ask" else "you chose to let Bash run without asking"
            ctx.emit(
                ErrorEvent(
                    agent=ctx.agent,
                    fatal=False,
                    message=(
                        f"Bash is NOT sandboxed ({why}): only a static check guards the workspace, and it cannot stop "
                        f"everything (see docs/security.md); {then}."
                    ),
                )
            )
        if choice == "allow" or team.session_grant(ctx.agent, self.name):
            return
        view = await team.broker.request(
            ctx.agent,
            "permission",
            tool_use_id=ctx.tool_use_id,  # a call the person already allowed is not asked about twice
            title=f"Bash (not sandboxed): {command}"[:200],
            tool=self.name,
            tool_input={"command": command},
            body=(
                f"Bash runs WITHOUT a sandbox here ({why}). A static check refused the obvious ways out of "
                "the workspace, but this command could still change files outside it (/tmp, folders on PATH, "
                "anything reached through variables, eval or an interpreter). Allow it only if you trust it."
            ),
        )
        if view.decision != "approved":
            raise ToolError(f"{PERMISSION_DENIED} Bash" + (f": {view.note}" if view.note else "."))

    async def run(self, args: Input, ctx: ToolContext) -> str:
        workspace = Path(os.path.realpath(ctx.workspace))
        check_command(args.command, workspace)
        limits = ctx.limits
        timeout_s = min(args.timeout / 1000 if args.timeout else limits.bash_timeout_s, limits.bash_max_timeout_s)
        argv = ["bash", "--noprofile", "--norc", "-c", args.command]
        sandboxed, why = await self._sandbox(workspace)
        if sandboxed:
            argv = bwrap_argv(workspace) + argv
        else:
            await self._unsandboxed(args.command, why, ctx)
        # Leave room under the cap for the truncation note and the exit-code or timeout line,
        # so the loop's own cap never has to cut the result again.
        cap = limits.output_cap_chars
        output = CappedOutput(max(cap - NOTE_ROOM, cap // 2, 2))
        rc, timed_out = await self._execute(argv, workspace, timeout_s, output)
        text = output.text().rstrip("\n")
        if timed_out:
            raise ToolError(
                f"{text}\n\ntimed out after {timeout_s:g}s; the command and its children were killed".lstrip()
            )
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
        spawn = asyncio.ensure_future(
            asyncio.create_subprocess_exec(
                *argv,
                cwd=workspace,
                env=scrubbed_env(workspace),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                start_new_session=True,
            )
        )
        try:
            proc = await asyncio.shield(spawn)
        except OSError as exc:
            os.close(read_fd)
            raise ToolError(f"Bash: could not start bash: {exc.strerror}") from None
        except asyncio.CancelledError:
            # cancelled while bash was being started: it may be running already, and must not be left so
            os.close(read_fd)
            started = await asyncio.gather(spawn, return_exceptions=True)
            if isinstance(started[0], asyncio.subprocess.Process):
                _signal_group(started[0].pid, signal.SIGKILL)
                await started[0].wait()
            raise
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
        guard = None
        try:
            guard = await _watchdog(proc.pid)
            try:
                await asyncio.wait_for(proc.wait(), timeout_s)
            except TimeoutError:
                timed_out = True
                _signal_group(proc.pid, signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), KILL_GRACE_S)
                except TimeoutError:
                    pass
        finally:
            # whatever it left running in its group goes too (a `sleep 1000 &`, a server)
            _signal_group(proc.pid, signal.SIGKILL)
            watchdog = _release(guard)
            if proc.returncode is None:
                await proc.wait()
            if watchdog is not None:
                await watchdog.wait()
            try:
                await asyncio.wait_for(asyncio.shield(pumping), DRAIN_S)
            except TimeoutError:
                pumping.cancel()
            except asyncio.CancelledError:
                pumping.cancel()
                raise
            finally:
                transport.close()
        return proc.returncode or 0, timed_out


BASH_TOOL = BashTool()
