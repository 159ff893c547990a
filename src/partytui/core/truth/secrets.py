"""Secrets: what looks like one is cut from every event as it enters a session, and secret files are named.

Cut are: the values of the environment's secret-named variables (and the password of any URL in it), and
anything that looks like a secret by its shape or by what it is assigned to — keys and tokens of known
forms, ``Bearer …``, ``NAME=value`` / ``"name": "value"`` where the name says secret, a URL's password,
a private key block. Events are redacted field by field (``redact_data``), so a value holding ``"`` or
``\\`` is found as it is, not as JSON escaped it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import PurePath
from typing import Any

from .events import EventBase, parse_event, to_json

REDACTED = "[redacted]"

# Words in a variable's name that say its value is a secret (the Bash environment drops these too).
SECRET_NAME_MARKERS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "PRIVATE")
_SECRET_NAME_WORDS = frozenset({"PASS", "PWD", "PW", "AUTH", "COOKIE"})
_NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD", "KEYTIMEOUT", "TOKENIZERS_PARALLELISM"})

# An exact secret value shorter than this is not searched for (it would cut ordinary words); one shorter
# than _LONG is cut only as a whole word, a longer one wherever it appears.
MIN_SECRET = 6
_LONG = 12


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret (``DB_PASS``, ``GITHUB_TOKEN``, …)."""
    upper = name.upper()
    if upper in _NOT_SECRET_NAMES:
        return False
    if any(marker in upper for marker in SECRET_NAME_MARKERS):
        return True
    return bool(_SECRET_NAME_WORDS & set(re.split(r"[^A-Z0-9]+", upper)))


# A URL's password: scheme://user:PASSWORD@host
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@'\"]*:)([^\s@/'\"]+)(@)")

# Values that are secrets by their shape, whatever surrounds them. A pattern's first group, if it has one,
# is kept (it says what was there).
SECRET_PATTERNS = [
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-\.=~+/]{16,}"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{20,}"),  # other providers' API keys
    re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),  # Slack
    re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}"),  # Stripe
    re.compile(r"\bAIza[0-9A-Za-z_\-]{30,}"),  # Google
    re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),  # a JWT
    re.compile(r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)"),
    _URL_PASSWORD,
]

# NAME=value, NAME: value, "name": "value" — where the name says secret. The value keeps its quotes; a bare
# value must end where a value ends (not at a "(" or "[": that is code, not a secret) and look like one.
_NAME = (
    r"(?:[A-Za-z0-9_.\-]*(?i:secret|passw(?:or)?d|passphrase|credential|api[_\-]?key|access[_\-]?key|"
    r"private[_\-]?key|auth[_\-]?token|token(?!s|i[sz]))[A-Za-z0-9_.\-]*"
    r"|[A-Z0-9_]*(?:KEY|TOKEN|PASS|PWD|AUTH)(?![a-z])[A-Z0-9_]*)"
)
_ASSIGNED = re.compile(
    r"(?P<name>[\"']?" + _NAME + r"[\"']?)(?P<sep>[ \t]*[:=][ \t]*)"
    r"(?:\"(?P<dq>(?:[^\"\\\n]|\\.)+)\"|'(?P<sq>[^'\n]+)'|(?P<bare>[^\s\"'`,;(){}\[\]<>]{4,})(?=[\s,;}\]\"')]|\Z))"
)
# the start of an assignment whose quoted value is not closed yet, and a key block not ended yet (streams)
_ASSIGNED_OPEN = re.compile(r"[\"']?" + _NAME + r"[\"']?[ \t]*[:=][ \t]*[\"'][^\"'\n]*\Z")
_KEY_BLOCK_OPEN = re.compile(r"-----BEGIN [A-Z0-9 ]*(?:PRIVATE KEY-----(?![\s\S]*-----END)[\s\S]*|[A-Z0-9 ]*\Z)")
_NOT_VALUES = frozenset(
    {
        "none",
        "null",
        "nil",
        "true",
        "false",
        "undefined",
        "required",
        "optional",
        "redacted",
        "string",
        "str",
        "bytes",
        "secret",
        "password",
        "token",
        "changeme",
        "example",
    }
)


def _assigned(match: re.Match[str]) -> str:
    value = match.group("dq") or match.group("sq") or match.group("bare") or ""
    if (
        value.strip("[]").lower() in _NOT_VALUES
        or value.isdigit()
        or value.startswith(("$", "%", "{{", "os.", "process."))
    ):
        return match.group(0)  # a placeholder, a reference to the variable, a count: nothing to hide
    quote = '"' if match.group("dq") else "'" if match.group("sq") else ""
    return f"{match.group('name')}{match.group('sep')}{quote}{REDACTED}{quote}"


def _exact(secret: str) -> re.Pattern[str]:
    if len(secret) >= _LONG:
        return re.compile(re.escape(secret))
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(secret) + r"(?![A-Za-z0-9])")


_compiled: dict[tuple[str, ...], list[re.Pattern[str]]] = {}


def _exact_patterns(secrets: tuple[str, ...]) -> list[re.Pattern[str]]:
    found = _compiled.get(secrets)
    if found is None:
        longest_first = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)
        found = _compiled[secrets] = [_exact(s) for s in longest_first]
    return found


# What every pattern above needs to match: a text without any of these (and without an exact secret) has
# nothing to cut. Most event strings (a delta, a type, an agent's name) have none, and one search is far
# cheaper than a dozen substitutions on each of them.
_MAY_HOLD_SECRET = r"[:=]|[sr]k[-_]|(?i:bearer)|gh[pousr]_|github_pat_|A[KS]IA|xox|AIza|eyJ|-----BEGIN"
_quick_looks: dict[tuple[str, ...], re.Pattern[str]] = {}


def _quick_look(secrets: tuple[str, ...]) -> re.Pattern[str]:
    """One search that finds whatever any pattern, or any of ``secrets``, needs to match."""
    found = _quick_looks.get(secrets)
    if found is None:
        exact = [re.escape(s) for s in sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)]
        found = _quick_looks[secrets] = re.compile("|".join([_MAY_HOLD_SECRET, *exact]))
    return found


# The same look over an event's JSON line, so an event none of whose strings may hold a secret is written as
# it is, without walking its fields. In the line a string's ":" is never right after a closing quote (that
# is the key's separator) unless the quote is the string's own, escaped; letters, digits, "-" and "_" are as
# they were; a known secret is looked for as written and as JSON escapes it.
_MAY_HOLD_SECRET_IN_JSON = _MAY_HOLD_SECRET.replace("[:=]", r'(?<!")[:=]|\\":|=', 1)
_line_looks: dict[tuple[str, ...], re.Pattern[str]] = {}


def _line_look(secrets: tuple[str, ...]) -> re.Pattern[str]:
    found = _line_looks.get(secrets)
    if found is None:
        known = {s for s in secrets if len(s) >= MIN_SECRET}
        forms = known | {json.dumps(s, ensure_ascii=False)[1:-1] for s in known}
        exact = [re.escape(s) for s in sorted(forms, key=len, reverse=True)]
        found = _line_looks[secrets] = re.compile("|".join([_MAY_HOLD_SECRET_IN_JSON, *exact]))
    return found


def _cut(m: re.Match[str]) -> str:
    """The secret part of a match cut: a prefix the pattern captured (``Bearer ``, ``key=``) stays."""
    return (m.group(1) if m.groups() else "") + REDACTED


def _cut_url_password(m: re.Match[str]) -> str:
    return _cut(m) + m.group(3)


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every secret-looking value and every one of ``extra_secrets`` replaced by ``[redacted]``."""
    if _quick_look(extra_secrets).search(text) is None:
        return text
    for pattern in _exact_patterns(extra_secrets):
        text = pattern.sub(REDACTED, text)
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(_cut_url_password if pattern is _URL_PASSWORD else _cut, text)
    return _ASSIGNED.sub(_assigned, text)


def redact_data(data: Any, secrets: tuple[str, ...] = ()) -> Any:
    """``data`` (JSON-like: dicts, lists, strings) with every string redacted; the same object if nothing was."""
    if isinstance(data, str):
        return redact(data, secrets)
    if isinstance(data, list):
        items = [redact_data(item, secrets) for item in data]
        return data if all(a is b for a, b in zip(items, data, strict=True)) else items
    if isinstance(data, dict):
        pairs = [(redact_data(k, secrets), redact_data(v, secrets)) for k, v in data.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, data.items(), strict=True)):
            return data
        return dict(pairs)
    return data


class StreamRedactor:
    """Redacts a text stream that arrives in pieces, where a secret may be split across two deltas.

    It holds back the last ``hold`` characters, any match still growing at the end, a quoted secret not yet
    closed and a private key block until it ends, and never releases part of a match: a secret is always
    whole when it is checked. ``flush`` at the end of the block gives the rest.
    """

    def __init__(self, secrets: tuple[str, ...] = (), hold: int = 160) -> None:
        self.secrets = secrets
        self.hold = max([hold, *(len(s) for s in secrets)])
        self.pending = ""
        self._before = ""  # the last character released: context for the next piece's matches

    def _patterns(self) -> list[re.Pattern[str]]:
        return [*_exact_patterns(self.secrets), *SECRET_PATTERNS, _ASSIGNED]

    def _cut(self, pending: str) -> int:
        cut = len(pending) - self.hold
        spans = sorted((m.start(), m.end()) for p in self._patterns() for m in p.finditer(pending))
        for start, end in spans:
            if end == len(pending):
                cut = min(cut, start)  # it may still grow
        for opened in (_ASSIGNED_OPEN.search(pending), _KEY_BLOCK_OPEN.search(pending)):
            if opened is not None:
                cut = min(cut, opened.start())
        for start, end in reversed(spans):  # never through a match
            if start < cut < end:
                cut = start
        return cut

    def feed(self, text: str) -> str:
        pending = self.pending + text
        cut = self._cut(pending)
        if cut <= 0:
            self.pending = pending
            return ""
        # redacted with one character of context each side, which no match can hold alone
        before = self._before
        released = redact(before + pending[: cut + 1], self.secrets)
        if released.startswith(before) and released.endswith(pending[cut]):
            out = released[len(before) : -1]
        else:
            out = redact(pending[:cut], self.secrets)
        self._before, self.pending = pending[cut - 1], pending[cut:]
        return out

    def flush(self) -> str:
        rest = redact(self._before + self.pending, self.secrets)[len(self._before) :] if self.pending else ""
        self.pending = self._before = ""
        return rest


def secrets_from_env(environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """The values of secret-named environment variables, and the passwords of URLs in any variable."""
    found: list[str] = []
    for name, value in (os.environ if environ is None else environ).items():
        if is_secret_name(name) and len(value) >= MIN_SECRET:
            found.append(value)
        found += [m.group(2) for m in _URL_PASSWORD.finditer(value) if len(m.group(2)) >= MIN_SECRET]
    return tuple(found)


def holds_secret(name: str, value: str) -> bool:
    """Whether an environment variable must not reach a command: a secret name, or a URL with a password."""
    return is_secret_name(name) or bool(_URL_PASSWORD.search(value))


# ── secret files ──────────────────────────────────────────────────────────────────────────────────────

_SECRET_FILE_NAMES = frozenset(
    {
        ".env",
        ".netrc",
        "_netrc",
        ".pgpass",
        ".pypirc",
        ".npmrc",
        ".git-credentials",
        "credentials",
        "credentials.json",
        "secrets.json",
        "secrets.yaml",
        "secrets.yml",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "id_ecdsa_sk",
        "id_ed25519_sk",
    }
)
_SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx", ".ppk", ".asc", ".gpg")
_EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")


def is_secret_file(path: str | PurePath) -> bool:
    """Whether a file's name says it holds secrets: ``.env`` (``.env.local``, not ``.env.example``), private
    keys (``*.pem``, ``*.key``, ``id_*`` but not ``id_*.pub``), ``.netrc``, ``.pgpass``, credentials files."""
    name = PurePath(str(path)).name.lower()
    if not name or name.endswith(".pub") or name.endswith(_EXAMPLE_SUFFIXES):
        return False
    if name in _SECRET_FILE_NAMES or name.endswith(_SECRET_SUFFIXES):
        return True
    if name.startswith(".env.") or name.endswith(".env"):
        return True
    return name.startswith("id_") and "." not in name  # ssh keys others named: id_work, id_github


def redacted_line(event: EventBase, secrets: tuple[str, ...] = ()) -> tuple[EventBase, str]:
    """``event`` redacted (the same object when nothing was) and its JSON line, as the log writes it.

    The line is looked at once; only an event whose line may hold a secret is walked field by field (most
    deltas hold nothing any pattern needs, and the walk cost more than the rest of ``Session.emit``)."""
    line = to_json(event)
    if _line_look(secrets).search(line) is None:
        return event, line
    data = event.model_dump(mode="json")
    clean = redact_data(data, secrets)
    if clean is data:
        return event, line
    event = parse_event(clean)
    return event, to_json(event)


SECRET_TITLE = "Secret file:"  # how a request to read one begins (a session grant looks for it)

# the tools that read a file they name, and the input field that names it
_READERS = {
    "Read": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "NotebookRead": "notebook_path",
    "NotebookEdit": "notebook_path",
    "Grep": "path",
}


def secret_file_in(tool: str, data: dict[str, Any]) -> str | None:
    """The secret file a tool call would read (a file tool naming it, or a Bash command naming it), or None.

    Bash is checked by the words of its command: ``cat .env``, ``source .env.local``, ``cp id_rsa x`` are
    seen; a name built at run time (``cat .e''nv``, ``cat $(ls -a | grep en)``) is not.
    """
    key = _READERS.get(tool)
    if key is not None:
        value = data.get(key)
        return value if isinstance(value, str) and is_secret_file(value) else None
    if tool == "Bash" and isinstance(data.get("command"), str):
        for word in re.split(r"[\s;|&<>()`'\"=]+", data["command"]):
            if word and is_secret_file(word.rstrip("/")):
                return word
    return None
