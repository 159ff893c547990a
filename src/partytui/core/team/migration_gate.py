"""The migration gate's question: does this Bash command apply a migration? Decided from its structure.

*Applying a migration* means changing a database's schema, or running SQL files or streams against a
database. A command does that when one of its simple commands — found the way bash reads it: lists,
pipelines, loops, subshells, ``$(…)``, ``bash -c '…'``, and through wrappers such as ``env``, ``sudo``,
``npx``, ``poetry run``, ``docker compose exec`` — is:

1. **a migration tool's apply step** (``MIGRATION_TOOLS``): ``alembic upgrade``, ``prisma db push``,
   ``liquibase update``, ``flyway migrate``, ``rails db:migrate``, ``manage.py migrate``, …;
2. **a database client handed SQL** (``DATABASE_CLIENTS``: ``sqlite3``, ``psql``, ``mysql``, …) — from a
   file (``< f.sql``, ``-f``, ``.read``, ``\\i``), a pipe, a here-document, or its arguments — unless all of
   that SQL can be read and only reads (``SELECT``, ``EXPLAIN``, ``SHOW``, ``.tables``, ``\\d``, …);
3. **a workspace script** (``python x.py``, ``python -m pkg.mod``, ``./x.sh``, ``node x.js``, ``python -c``,
   a ``package.json`` script run by ``npm run``) whose text does 1 or 2, or hands a database driver
   schema-changing SQL (``CREATE TABLE``, ``ALTER``, ``DROP``, …) or a ``.sql`` file;
4. **declared** in the config's ``migration_commands`` (``make migrate``, ``./bin/db-apply:*``).

Everything else passes: listing, reading, grepping, editing or ``git add``-ing migration files, a client's
read-only query. What the gate cannot see: a program named by a variable, SQL built at run time from
something not in the script's text, imports the script follows, ``Makefile`` targets and tools not in the
tables (declare those in the config).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_DEPTH = 4  # scripts that run scripts that run …: deep enough for real projects, bounded for hostile ones
MAX_SCRIPT_BYTES = 1_000_000


@dataclass(frozen=True)
class Tool:
    """A migration tool: the leading positional words that apply (``("db", "push")``), and its options
    that take a value as the next word (so ``alembic -c x upgrade`` reads ``upgrade`` as the verb)."""

    verbs: tuple[tuple[str, ...], ...]
    value_options: frozenset[str] = frozenset()
    anywhere: bool = False  # the verb may follow other positionals (goose DRIVER DSN up)


def _t(*verbs: str, opts: str = "", anywhere: bool = False) -> Tool:
    return Tool(tuple(tuple(v.split()) for v in verbs), frozenset(opts.split()), anywhere)


_RAILS_DB = (
    "db:migrate",
    "db:migrate:up",
    "db:migrate:down",
    "db:migrate:redo",
    "db:rollback",
    "db:schema:load",
    "db:structure:load",
    "db:setup",
    "db:reset",
    "db:drop",
    "db:create",
    "db:seed",
    "db:prepare",
    "db:purge",
    "db:truncate_all",
)
_TYPEORM = _t("migration:run", "migration:revert", "schema:sync", "schema:drop", "query", opts="-d --dataSource -c")
_SEQUELIZE = _t(
    "db:migrate",
    "db:migrate:undo",
    "db:migrate:undo:all",
    "db:seed",
    "db:seed:all",
    "db:seed:undo",
    "db:seed:undo:all",
    "db:drop",
    "db:create",
    opts="--env --config --url",
)

MIGRATION_TOOLS: dict[str, Tool] = {
    "alembic": _t("upgrade", "downgrade", "stamp", opts="-c --config -n --name -x"),
    "prisma": _t(
        "migrate deploy",
        "migrate dev",
        "migrate reset",
        "migrate resolve",
        "db push",
        "db execute",
        "db seed",
        opts="--schema",
    ),
    "liquibase": _t(
        "update",
        "update-count",
        "update-to-tag",
        "updateCount",
        "updateToTag",
        "rollback",
        "rollback-count",
        "rollback-to-date",
        "rollbackCount",
        "rollbackToDate",
        "drop-all",
        "dropAll",
        "execute-sql",
        "executeSql",
        "changelog-sync",
        "changelogSync",
        "tag",
        opts="--changelog-file --changeLogFile --url --username --password --defaults-file "
        "--defaultsFile --search-path",
    ),
    "flyway": _t("migrate", "clean", "repair", "baseline", "undo"),
    "dbmate": _t(
        "up",
        "migrate",
        "rollback",
        "down",
        "drop",
        "create",
        "load",
        opts="-u --url -d --migrations-dir -e --env -s --schema-file",
    ),
    "goose": _t("up", "up-by-one", "up-to", "down", "down-to", "redo", "reset", opts="-dir -table", anywhere=True),
    "migrate": _t("up", "down", "goto", "force", "drop", opts="-path -database -source -lock-timeout -prefetch"),
    "sqlx": _t(
        "migrate run",
        "migrate revert",
        "database create",
        "database drop",
        "database reset",
        "database setup",
        opts="--database-url -D --source",
    ),
    "diesel": _t(
        "migration run",
        "migration revert",
        "migration redo",
        "database setup",
        "database reset",
        opts="--database-url --migration-dir --config-file",
    ),
    "atlas": _t(
        "migrate apply",
        "migrate down",
        "schema apply",
        "schema clean",
        opts="-u --url --env --dir --to --dev-url -c --config",
    ),
    "knex": _t(
        "migrate:latest", "migrate:up", "migrate:down", "migrate:rollback", "seed:run", opts="--knexfile --env --cwd"
    ),
    "sequelize": _SEQUELIZE,
    "sequelize-cli": _SEQUELIZE,
    "typeorm": _TYPEORM,
    "typeorm-ts-node-commonjs": _TYPEORM,
    "typeorm-ts-node-esm": _TYPEORM,
    "drizzle-kit": _t("push", "migrate", opts="--config"),
    "rails": _t(*_RAILS_DB, opts="-e --environment"),
    "rake": _t(*_RAILS_DB),
    "manage.py": _t("migrate", "flush", "loaddata", opts="--settings --database"),
    "django-admin": _t("migrate", "flush", "loaddata", opts="--settings --database"),
    "artisan": _t(
        "migrate",
        "migrate:fresh",
        "migrate:refresh",
        "migrate:reset",
        "migrate:rollback",
        "db:seed",
        "db:wipe",
        opts="--env --database --path",
    ),
    "yoyo": _t("apply", "rollback", "reapply", opts="--database -d --config -c"),
    "yoyo-migrate": _t("apply", "rollback", "reapply", opts="--database -d --config -c"),
    "sqitch": _t("deploy", "revert", "rebase", "checkout", opts="--target -t --plan-file"),
    "mikro-orm": _t(
        "migration:up",
        "migration:down",
        "migration:fresh",
        "schema:create",
        "schema:update",
        "schema:drop",
        "schema:fresh",
    ),
    "supabase": _t("db push", "db reset", "migration up", opts="--db-url"),
    "hasura": _t("migrate apply", opts="--endpoint --admin-secret --database-name"),
    "mix": _t("ecto.migrate", "ecto.rollback", "ecto.reset", "ecto.setup", "ecto.drop", "ecto.create", "ecto.load"),
    "dotnet": _t("ef database update", "ef database drop"),
    "skeema": _t("push"),
    "pg_restore": _t(anywhere=True),  # restores a dump into a database: always applies
}
_ALWAYS = {name for name, tool in MIGRATION_TOOLS.items() if not tool.verbs}

# Database clients, and their options that hand over SQL text or a SQL file.
DATABASE_CLIENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # name: (options whose value is SQL, options whose value is a SQL file)
    "sqlite3": (frozenset({"-cmd"}), frozenset({"-init"})),
    "sqlite": (frozenset({"-cmd"}), frozenset({"-init"})),
    "duckdb": (frozenset({"-c", "-s", "-cmd"}), frozenset({"-init", "-f"})),
    "psql": (frozenset({"-c", "--command"}), frozenset({"-f", "--file"})),
    "pgcli": (frozenset({"-c", "--command"}), frozenset()),
    "mysql": (frozenset({"-e", "--execute"}), frozenset()),
    "mariadb": (frozenset({"-e", "--execute"}), frozenset()),
    "mycli": (frozenset({"-e", "--execute"}), frozenset()),
    "litecli": (frozenset({"-e", "--execute"}), frozenset()),
    "sqlcmd": (frozenset({"-Q", "-q"}), frozenset({"-i"})),
    "clickhouse-client": (frozenset({"-q", "--query"}), frozenset({"--queries-file"})),
    "usql": (frozenset({"-c", "--command"}), frozenset({"-f", "--file"})),
}
# client options whose value is not SQL but must not be read as the database or SQL (psql -d db -U me)
_CLIENT_VALUE_OPTIONS = frozenset(
    [
        "-d",
        "--dbname",
        "-U",
        "--username",
        "-h",
        "--host",
        "-p",
        "--port",
        "-u",
        "--user",
        "-D",
        "--database",
        "-S",
        "--server",
        "-P",
        "--password",
        "-o",
        "--output",
        "-v",
        "--set",
        "-W",
        "-F",
        "-R",
        "--defaults-file",
        "-separator",
        "-nullvalue",
        "-header",
        "-cmd",
    ]
)
# Sub-commands that open a database client on the project's database (stdin becomes SQL).
_CLIENT_SUBCOMMANDS = {"manage.py": "dbshell", "django-admin": "dbshell", "rails": "dbconsole", "artisan": "db"}

# Wrappers: the command they run starts after their own options.
_WRAPPERS = frozenset(
    {
        "env",
        "sudo",
        "doas",
        "time",
        "nice",
        "nohup",
        "timeout",
        "xargs",
        "exec",
        "command",
        "builtin",
        "stdbuf",
        "ionice",
        "chronic",
        "watch",
        "npx",
        "bunx",
        "pnpx",
    }
)
_WRAPPER_VALUE_OPTIONS = frozenset(
    {
        "-u",
        "-g",
        "-n",
        "-p",
        "--package",
        "-s",
        "-k",
        "--signal",
        "-C",
        "-I",
        "-L",
        "-P",
        "-d",
        "-E",
        "-c",
        "-w",
        "-o",
        "-i",
        "-e",
    }
)
_RUNNERS = {  # "<runner> <word>" runs a command that follows
    ("poetry", "run"),
    ("uv", "run"),
    ("pipenv", "run"),
    ("pdm", "run"),
    ("hatch", "run"),
    ("bundle", "exec"),
    ("pnpm", "exec"),
    ("pnpm", "dlx"),
    ("yarn", "dlx"),
    ("yarn", "exec"),
    ("npm", "exec"),
    ("bun", "x"),
    ("rye", "run"),
    ("conda", "run"),
}
_PACKAGE_SCRIPT_RUNNERS = {"npm": ("run", "run-script"), "pnpm": ("run",), "yarn": ("run",), "bun": ("run",)}
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh"})
_INTERPRETERS = re.compile(r"^(python[0-9.]*|pypy[0-9.]*|node|nodejs|deno|bun|ts-node|tsx|ruby|perl|php)$")

# In a script's text: a database driver asked to run SQL, and the SQL that changes a schema.
_DRIVER_CALL = re.compile(r"\.(executescript|executemany|execute|exec|query|raw|unsafe|batch|run)\s*\(|\bexecute_sql\b")
_SCHEMA_SQL = re.compile(
    r"\b(CREATE|ALTER|DROP|TRUNCATE|RENAME)\s+(OR\s+REPLACE\s+)?(UNIQUE\s+)?(TEMP\s+|TEMPORARY\s+)?"
    r"(TABLE|INDEX|VIEW|SCHEMA|DATABASE|TRIGGER|SEQUENCE|TYPE|EXTENSION|COLUMN|FUNCTION|PROCEDURE|CONSTRAINT)\b",
    re.IGNORECASE,
)
_SQL_FILE = re.compile(r"""\.sql\b['"*)]|['"][^'"\n]*\.sql['"]""")
_READ_ONLY_DOT = re.compile(
    r"^\.(tables|schema|indexes|indices|headers?|mode|show|databases|quit|exit|help|width|timer|echo|nullvalue|"
    r"separator|print|eqp|stats|dbinfo|fullschema|dump|changes|bail|explain|prompt)\b"
)
_READ_ONLY_META = re.compile(r"^\\(d\S*|l\+?|x|timing|pset|echo|q|conninfo|set|\?|h|encoding|a|t|f|H|C)(\s|$)")
_READ_ONLY_START = re.compile(
    r"^(SELECT|EXPLAIN(?!\s+ANALY[SZ]E)|SHOW|DESCRIBE|DESC|VALUES|TABLE|USE|BEGIN|START\s+"
    r"TRANSACTION|COMMIT|ROLLBACK|END|SET|PRAGMA\s+[\w.]+(\s*\([^)]*\))?\s*;?\s*$)\b",
    re.IGNORECASE,
)


@dataclass
class SimpleCommand:
    """One command as bash would run it: its words, what feeds its standard input, and the folder it runs in."""

    words: list[str]
    stdin_files: list[str] = field(default_factory=list)  # `< file`
    stdin_text: list[str] = field(default_factory=list)  # here-documents and here-strings
    stdin_piped: SimpleCommand | None = None  # the command before it in a pipeline
    piped: bool = False


@dataclass
class Gate:
    """Answers ``applies(command)`` for one workspace and the config's declared ``migration_commands``."""

    workspace: Path
    declared: Sequence[str] = ()

    def applies(self, command: str) -> str | None:
        """Why ``command`` applies a migration (one line for the agent), or None when it does not."""
        return self._shell(command, self.workspace, 0)

    # ── shell text → simple commands ───────────────────────────────────────

    def _shell(self, text: str, cwd: Path, depth: int) -> str | None:
        if depth > MAX_DEPTH:
            return None
        for pattern in self.declared:
            if _declared(pattern, text.strip()):
                return f"`{text.strip()[:80]}` matches migration_commands entry {pattern!r} in the config"
        for cmd in simple_commands(text):
            if cmd.words and cmd.words[0] in ("cd", "pushd") and len(cmd.words) > 1:
                cwd = _inside(cwd / cmd.words[1], self.workspace) or cwd
                continue
            why = self._command(cmd, cwd, depth)
            if why:
                return why
        return None

    def _command(self, cmd: SimpleCommand, cwd: Path, depth: int) -> str | None:
        words = _unwrap(cmd.words)
        if not words:
            return None
        joined = " ".join(words)
        for pattern in self.declared:
            if _declared(pattern, joined):
                return f"`{joined[:80]}` matches migration_commands entry {pattern!r} in the config"
        name = os.path.basename(words[0])
        args = words[1:]
        if name in _SHELLS:
            if "-c" in args[:-1]:
                return self._shell(args[args.index("-c") + 1], cwd, depth + 1)
            script = next((a for a in args if not a.startswith("-")), None)
            if script is not None:
                target = _inside(cwd / script, self.workspace)
                return self._script(target, cwd, depth, shell=True) if target is not None else None
            for path in cmd.stdin_files:  # bash < script.sh
                target = _inside(cwd / path, self.workspace)
                if target is not None and (why := self._script(target, cwd, depth, shell=True)):
                    return why
            for text in cmd.stdin_text:  # bash <<EOF … EOF
                if why := self._shell(text, cwd, depth + 1):
                    return why
            return None
        if name == "eval":
            return self._shell(" ".join(args), cwd, depth + 1)
        if _INTERPRETERS.match(name):
            return self._interpreter(name, args, cmd, cwd, depth)
        if (name in _PACKAGE_SCRIPT_RUNNERS or name == "yarn") and (
            why := self._package_script(name, args, cwd, depth)
        ):
            return why
        return self._program(name, args, cmd, cwd, depth, path=words[0])

    def _program(
        self, name: str, args: list[str], cmd: SimpleCommand, cwd: Path, depth: int, path: str = ""
    ) -> str | None:
        if name in MIGRATION_TOOLS and (name in _ALWAYS or _verb(MIGRATION_TOOLS[name], args)):
            return f"`{' '.join([name, *args])[:80]}` is {name}'s apply step"
        if _CLIENT_SUBCOMMANDS.get(name) in args[:1] and self._client_changes(name, [], cmd, cwd):
            return f"`{name} {args[0]}` is handed SQL that changes the database"
        if name in DATABASE_CLIENTS and (what := self._client_changes(name, args, cmd, cwd)):
            return f"`{' '.join([name, *args])[:80]}` hands {name} SQL that changes the database ({what})"
        # a program of the workspace (./apply, bin/migrate-db): read it as a script
        if "/" in path:
            target = _inside(cwd / path, self.workspace)
            if target is not None and target.is_file():
                return self._script(target, cwd, depth, shell=None)
        return None

    # ── rule 2: database clients ─────────────────────────────────────────

    def _client_changes(self, name: str, args: list[str], cmd: SimpleCommand, cwd: Path) -> str | None:
        """What SQL the client is handed that changes something; None if it only reads (or gets none)."""
        sql_opts, file_opts = DATABASE_CLIENTS.get(name, (frozenset(), frozenset()))
        texts: list[str] = []
        files: list[str] = []
        positionals: list[str] = []
        i = 0
        while i < len(args):
            word = args[i]
            opt, eq, value = word.partition("=")
            if eq and opt in sql_opts | file_opts:
                (texts if opt in sql_opts else files).append(value)
            elif word in sql_opts or word in file_opts:
                if i + 1 < len(args):
                    (texts if word in sql_opts else files).append(args[i + 1])
                i += 1
            elif word in _CLIENT_VALUE_OPTIONS:
                i += 1
            elif len(word) > 2 and word[:2] in sql_opts and name != "sqlite3":  # psql -c'…'
                texts.append(word[2:])
            elif not word.startswith("-"):
                positionals.append(word)
            i += 1
        if name in ("sqlite3", "sqlite", "duckdb") and len(positionals) > 1:
            texts += positionals[1:]  # sqlite3 DB 'SQL' …
        files += cmd.stdin_files
        texts += cmd.stdin_text
        if cmd.piped:
            producer = cmd.stdin_piped
            fed = _fed_by(producer) if producer is not None else None
            if fed is None:
                return "SQL from a pipe"
            texts += fed[0]
            files += fed[1]
        if not texts and not files:
            return None  # an interactive session or a dump: nothing is handed over
        for path in files:
            target = _inside(cwd / path, self.workspace)
            if "$" in path or target is None or not target.is_file():
                return f"SQL from {path}"
            text = _read(target)
            if text is None or not self._read_only(text, target.parent):
                return f"SQL from {path}"
        for text in texts:
            if not self._read_only(text, cwd):
                return f"SQL: {' '.join(text.split())[:60]}"
        return None

    def _read_only(self, sql: str, cwd: Path, depth: int = 0) -> bool:
        """Whether every statement (and client command) in ``sql`` only reads."""
        import sqlparse  # at the first SQL read, like bashlex: start-up does not need it

        statements: list[str] = []
        for line in sql.splitlines():
            stripped = line.strip()
            if stripped.startswith(".") or stripped.startswith("\\"):
                if m := re.match(r"^(\.read|\\i|\\include|\\ir|source)\s+(\S+)", stripped):
                    target = _inside(cwd / m.group(2).strip("'\""), self.workspace)
                    text = _read(target) if target is not None else None
                    if (
                        target is None
                        or text is None
                        or depth >= MAX_DEPTH
                        or not self._read_only(text, target.parent, depth + 1)
                    ):
                        return False
                elif not (_READ_ONLY_DOT.match(stripped) or _READ_ONLY_META.match(stripped)):
                    return False
            else:
                statements.append(line)
        for statement in sqlparse.split("\n".join(statements)):
            body = sqlparse.format(statement, strip_comments=True).strip()
            if not body:
                continue
            if re.match(r"^source\s", body, re.IGNORECASE):
                return False  # mysql's `source file`: read as changing, conservatively
            kind = sqlparse.parse(body)[0].get_type()  # type: ignore[no-untyped-call]  # sqlparse has no annotations here
            if kind == "SELECT" and not re.search(r"\bINTO\b", body, re.IGNORECASE):
                continue
            if kind != "SELECT" and _READ_ONLY_START.match(body):
                continue
            return False
        return True

    # ── rule 3: scripts ──────────────────────────────────────────────────

    def _interpreter(self, name: str, args: list[str], cmd: SimpleCommand, cwd: Path, depth: int) -> str | None:
        i = 0
        while i < len(args):
            word = args[i]
            code_option = (
                ("-c",) if name.startswith(("python", "pypy")) else ("-r",) if name == "php" else ("-e", "--eval")
            )
            if word in code_option and i + 1 < len(args):
                return self._script_text(args[i + 1], f"{name} {word}", cwd, depth, shell=False)
            if word == "-m" and i + 1 < len(args):
                module, rest = args[i + 1], args[i + 2 :]
                tool = module.split(".")[0]
                if tool in MIGRATION_TOOLS or tool in DATABASE_CLIENTS:
                    return self._program(tool, rest, cmd, cwd, depth)
                if module == "django":
                    return self._program("django-admin", rest, cmd, cwd, depth)
                base = cwd / module.replace(".", "/")
                for candidate in (base.with_suffix(".py"), base / "__main__.py"):
                    target = _inside(candidate, self.workspace)
                    if target is not None and target.is_file():
                        return self._script(target, cwd, depth, shell=False)
                return None
            if word in ("run",) and name in ("deno", "bun"):
                i += 1
                continue
            if word.startswith("-"):
                if word in ("-X", "-W", "-Q", "--require", "-r", "--import", "--loader"):
                    i += 1
                i += 1
                continue
            script = os.path.basename(word)
            if script in MIGRATION_TOOLS:  # python manage.py migrate, php artisan migrate
                return self._program(script, args[i + 1 :], cmd, cwd, depth)
            target = _inside(cwd / word, self.workspace)
            if target is not None and target.is_file():
                return self._script(target, cwd, depth, shell=False)
            return None
        if cmd.stdin_text:  # python - <<EOF … EOF
            return self._script_text("\n".join(cmd.stdin_text), f"{name} reading a here-document", cwd, depth, False)
        return None

    def _script(self, path: Path, cwd: Path, depth: int, *, shell: bool | None) -> str | None:
        text = _read(path)
        if text is None:
            return None
        if shell is None:  # a program run by its path: its first line says what it is
            first = text.split("\n", 1)[0]
            shell = first.startswith("#!") and any(s in first for s in _SHELLS) and "python" not in first
        rel = os.path.relpath(path, self.workspace)
        return self._script_text(text, rel, path.parent if not shell else cwd, depth, shell=shell)

    def _script_text(self, text: str, where: str, cwd: Path, depth: int, shell: bool) -> str | None:
        if shell:
            why = self._shell(text, cwd, depth + 1)
            return f"{where} runs {why}" if why else None
        if _DRIVER_CALL.search(text) and (found := _SCHEMA_SQL.search(text) or _SQL_FILE.search(text)):
            return f"{where} hands a database driver SQL that changes the schema ({found.group(0).strip()[:40]})"
        # a script that runs a migration command as a subprocess: its string literals read as commands
        for literal in _command_literals(text):
            why = self._shell(literal, cwd, depth + 1)
            if why:
                return f"{where} runs {why}"
        return None

    def _package_script(self, runner: str, args: list[str], cwd: Path, depth: int) -> str | None:
        positional = [a for a in args if not a.startswith("-")]
        if not positional:
            return None
        if runner == "yarn" and positional[0] not in ("run",):
            name = positional[0]  # `yarn migrate` runs the script named migrate
        elif positional[0] in _PACKAGE_SCRIPT_RUNNERS.get(runner, ()) and len(positional) > 1:
            name = positional[1]
        else:
            return None
        manifest = _inside(cwd / "package.json", self.workspace)
        text = _read(manifest) if manifest is not None else None
        try:
            scripts = json.loads(text).get("scripts", {}) if text else {}
        except (ValueError, AttributeError):
            return None
        body = scripts.get(name) if isinstance(scripts, dict) else None
        if not isinstance(body, str):
            return None
        why = self._shell(body, cwd, depth + 1)
        return f"the package.json script {name!r} runs {why}" if why else None


# ── helpers ──────────────────────────────────────────────────────────────────


def _declared(pattern: str, command: str) -> bool:
    """A config entry: ``make migrate`` (that command, with any arguments after), ``./bin/db-*`` (a glob)."""
    pattern = pattern.strip()
    if pattern.endswith(":*"):
        pattern = pattern[:-2]
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(command, pattern)
    return command == pattern or command.startswith(pattern + " ")


def _verb(tool: Tool, args: list[str]) -> bool:
    positionals: list[str] = []
    skip = False
    for word in args:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in tool.value_options
            continue
        positionals.append(word)
    for verb in tool.verbs:
        n = len(verb)
        starts = range(len(positionals) - n + 1) if tool.anywhere else range(1)
        if any(tuple(positionals[s : s + n]) == verb for s in starts):
            return True
    return False


def _unwrap(words: list[str]) -> list[str]:
    """The command a wrapper runs: ``env A=1 sudo -u x npx prisma db push`` → ``prisma db push``."""
    words = list(words)
    while words:
        while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):  # VAR=value before the command
            words.pop(0)
        if not words:
            return []
        name = os.path.basename(words[0])
        if name in _WRAPPERS:
            words.pop(0)
            while words and (words[0].startswith("-") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
                option = words.pop(0)
                if option in _WRAPPER_VALUE_OPTIONS and words:
                    words.pop(0)
            if name == "timeout" and words and re.match(r"^[0-9.]+[smhd]?$", words[0]):
                words.pop(0)
            continue
        if len(words) > 1 and (name, words[1]) in _RUNNERS:
            words = words[2:]
            continue
        if name == "docker" and len(words) > 2 and ("exec" in words[1:3] or "run" in words[1:3]):
            words = _after_container(words)
            continue
        if name == "kubectl" and "--" in words:
            words = words[words.index("--") + 1 :]
            continue
        return words
    return words


def _after_container(words: list[str]) -> list[str]:
    """``docker [compose] exec|run [options] NAME cmd…`` → ``cmd…``."""
    i = 1
    if words[i] == "compose":
        i += 1
    i += 1  # exec / run
    while i < len(words) and words[i].startswith("-"):
        if words[i] in ("-e", "--env", "-u", "--user", "-w", "--workdir", "--name", "-v", "--volume", "--entrypoint"):
            i += 1
        i += 1
    return words[i + 1 :]


def _fed_by(producer: SimpleCommand) -> tuple[list[str], list[str]] | None:
    """What a pipe's first command writes, when it is plain to see: (texts, files), else None."""
    words = _unwrap(producer.words)
    if not words:
        return None
    name = os.path.basename(words[0])
    if name in ("cat", "tac") and all(not w.startswith("-") for w in words[1:]) and len(words) > 1:
        return [], words[1:]
    if name == "echo":
        return [" ".join(w for w in words[1:] if w not in ("-n", "-e", "-E"))], []
    if name == "printf" and len(words) > 1:
        return [" ".join(words[1:])], []
    return None


def _inside(path: Path, workspace: Path) -> Path | None:
    try:
        real = Path(os.path.realpath(path))
    except (OSError, ValueError):
        return None
    return real if real.is_relative_to(os.path.realpath(workspace)) else None


def _read(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SCRIPT_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_SCRIPT_BYTES or b"\x00" in data[:4096]:
        return None
    return data.decode("utf-8", "replace")


_LITERAL = re.compile(r"""(?s)("{3}|'{3}|"|'|`)(.*?)(?<!\\)\1""")


def _command_literals(text: str) -> Iterator[str]:
    """String literals of a script that may be shell commands; list literals (``["alembic", "upgrade"]``) joined."""
    for m in re.finditer(r"\[([^\[\]]{1,400})\]", text):
        items = [i.group(2) for i in _LITERAL.finditer(m.group(1))]
        if len(items) > 1:
            yield " ".join(shlex.quote(i) for i in items)
    for m in _LITERAL.finditer(text):
        body = m.group(2)
        if 2 < len(body) < 2000 and " " in body:
            yield body


# ── reading shell text ───────────────────────────────────────────────────────


def simple_commands(text: str) -> list[SimpleCommand]:
    """Every simple command bash would run for ``text``, nested ones (``$(…)``, loops, subshells) included.

    bashlex reads bash's grammar; what it cannot read (``[[ … ]]``, ``$(( … ))``, ``case``) is split on
    the shell's operators instead, quotes respected.
    """
    # imported at the first command read: bashlex builds its parser's tables when imported (a fifth of a
    # second), which the TUI's first frame does not need
    import bashlex

    try:
        trees = bashlex.parse(text)
    except Exception:  # bashlex raises its own errors and NotImplementedError for parts of bash it lacks
        return _split_commands(text)
    found: list[SimpleCommand] = []
    for tree in trees:
        _walk(tree, found)
    return found


def _walk(node: Any, found: list[SimpleCommand]) -> None:  # bashlex's nodes carry no types
    kind = node.kind
    if kind == "pipeline":
        previous: SimpleCommand | None = None
        for part in node.parts:
            if part.kind == "pipe":
                continue
            start = len(found)
            _walk(part, found)
            if previous is not None and len(found) > start:
                found[start].piped, found[start].stdin_piped = True, previous
            if len(found) > start:
                previous = found[start] if part.kind == "command" else None
        return
    if kind == "command":
        cmd = SimpleCommand(words=[])
        found.append(cmd)
        for part in node.parts:
            if part.kind == "word" or part.kind == "assignment":
                cmd.words.append(part.word)
                _nested(part, found)
            elif part.kind == "redirect":
                target: Any = getattr(part, "output", None)
                if part.type == "<" and getattr(target, "kind", "") == "word":
                    cmd.stdin_files.append(target.word)
                elif part.type == "<<<" and getattr(target, "kind", "") == "word":
                    cmd.stdin_text.append(target.word)
                elif part.type in ("<<", "<<-") and getattr(part, "heredoc", None) is not None:
                    body = part.heredoc.value
                    cmd.stdin_text.append(body.rsplit("\n", 1)[0] if "\n" in body else "")
                if getattr(target, "kind", "") == "word":
                    _nested(target, found)
        return
    for child in _children(node):
        _walk(child, found)


def _children(node: Any) -> list[Any]:
    out = list(getattr(node, "parts", None) or [])
    out += list(getattr(node, "list", None) or [])
    if getattr(node, "command", None) is not None:
        out.append(node.command)
    return [c for c in out if hasattr(c, "kind")]


def _nested(word: Any, found: list[SimpleCommand]) -> None:
    for part in getattr(word, "parts", None) or []:
        if part.kind in ("commandsubstitution", "processsubstitution"):
            _walk(part.command, found)
        else:
            _nested(part, found)


_OPERATORS = {
    ";",
    "&&",
    "||",
    "|",
    "&",
    "(",
    ")",
    "\n",
    ";;",
    "|&",
    "{",
    "}",
    "then",
    "do",
    "else",
    "elif",
    "if",
    "while",
    "until",
    "fi",
    "done",
    "esac",
    "[[",
    "]]",
    "!",
}


_HEREDOC = re.compile(r"<<(?!<)-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_HEREDOC_WORD = re.compile(r"^__partytui_heredoc_(\d+)__$")


def _cut_heredocs(text: str) -> tuple[str, list[str]]:
    """Here-documents lifted out of ``text``: each becomes ``<<< __partytui_heredoc_N__``, body N in the list."""
    lines = text.split("\n")
    out: list[str] = []
    bodies: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        for m in list(_HEREDOC.finditer(line)):
            body = []
            while i < len(lines) and lines[i].strip() != m.group(2):
                body.append(lines[i])
                i += 1
            i += 1
            line = line.replace(m.group(0), f"<<< __partytui_heredoc_{len(bodies)}__", 1)
            bodies.append("\n".join(body))
        out.append(line)
    return "\n".join(out), bodies


def _split_commands(text: str) -> list[SimpleCommand]:
    text, bodies = _cut_heredocs(text)
    lexer = shlex.shlex(text.replace("\n", " ; "), posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError:
        tokens = text.split()
    found: list[SimpleCommand] = []
    current = SimpleCommand(words=[])
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _OPERATORS or token in (";;", ";&"):
            if current.words:
                found.append(current)
            previous = current if current.words else None
            current = SimpleCommand(words=[])
            if token == "|" and previous is not None:
                current.piped, current.stdin_piped = True, previous
        elif token in ("<", "<<<") and i + 1 < len(tokens):
            target = tokens[i + 1]
            if token == "<":
                current.stdin_files.append(target)
            else:
                m = _HEREDOC_WORD.match(target)
                current.stdin_text.append(bodies[int(m.group(1))] if m else target)
            i += 1
        elif set(token) <= set("<>&|") and token:
            i += 1  # an output redirection and its target
        else:
            current.words.append(token)
        i += 1
    if current.words:
        found.append(current)
    return found
