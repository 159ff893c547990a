"""The migration gate by structure: a table of real commands, both directions, and the team refusing them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine_fakes import call, make_team, member, results
from partytui.core.team.migration_gate import Gate, simple_commands
from partytui.core.team.policy import Policy, PolicyFile, Rule

APPLY_PY = """import sqlite3
conn = sqlite3.connect("app.db")
conn.executescript(open("db/002.sql").read())
"""
APP_PY = """import sqlite3
def add(conn, body):
    conn.execute("INSERT INTO notes (body) VALUES (?)", (body,))
"""
RUN_MIGRATIONS_PY = """import subprocess
subprocess.run(["alembic", "upgrade", "head"], check=True)
"""
NOTES_MIGRATE_PY = """import sqlite3
from pathlib import Path
def migrate(db):
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)")
    for path in sorted(Path("migrations").glob("*.sql")):
        conn.executescript(path.read_text())
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    files = {
        "db/002.sql": "ALTER TABLE users ADD COLUMN age INT;\n",
        "queries/report.sql": "-- how many\nSELECT count(*) FROM users;\n.tables\n",
        "migrations/001_init.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
        "apply.py": APPLY_PY,
        "app.py": APP_PY,
        "run_migrations.py": RUN_MIGRATIONS_PY,
        "notes/migrate.py": NOTES_MIGRATE_PY,
        "notes/__init__.py": "",
        "scripts/apply.sh": "#!/bin/sh\nset -e\npsql -f db/002.sql\n",
        "scripts/check.sh": "#!/bin/sh\nls migrations/\n",
        "package.json": json.dumps({"scripts": {"migrate": "knex migrate:latest", "test": "jest"}}),
    }
    for rel, text in files.items():
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_text(text)
    return ws


APPLIES = [
    "sqlite3 app.db < db/002.sql",
    "cat db/002.sql | sqlite3 app.db",
    "cd db && sqlite3 ../app.db < 002.sql",
    "sqlite3 app.db '.read db/002.sql'",
    "sqlite3 app.db <<EOF\nCREATE TABLE t (a);\nEOF\n",
    'for f in migrations/*.sql; do sqlite3 app.db < "$f"; done',
    "[[ -f app.db ]] && sqlite3 app.db < db/002.sql",  # bashlex cannot read [[: the fallback reader does
    "psql -f db/002.sql",
    "psql -d app -U me --file=db/002.sql",
    "psql -c 'ALTER TABLE users ADD age int'",
    "x=$(psql -c 'drop table a') && echo done",
    "mysql app < db/002.sql",
    'mysql -e "DROP TABLE users"',
    "docker compose exec db psql -U postgres -f /docker-entrypoint/002.sql",
    "alembic -c x upgrade head",
    "alembic upgrade head",
    "env DATABASE_URL=sqlite:///a.db poetry run alembic upgrade head",
    "npx prisma db push",
    "prisma migrate deploy",
    "liquibase update",
    "liquibase --changelog-file db.xml update",
    "flyway migrate",
    "dbmate up",
    "goose sqlite3 ./app.db up",
    "python manage.py migrate",
    "bundle exec rake db:migrate",
    "python apply.py",
    "python3 -m notes.migrate notes.db",  # the demo's own migration runner
    "python run_migrations.py",
    "bash scripts/apply.sh",
    "./scripts/apply.sh",
    "npm run migrate",
    "python - <<'EOF'\nimport sqlite3\nsqlite3.connect('a.db').executescript(open('db/002.sql').read())\nEOF\n",
    "python3 -c \"import sqlite3; sqlite3.connect('a.db').execute('CREATE TABLE t (a)')\"",
    "bash -c 'sqlite3 app.db < db/002.sql'",
]

HARMLESS = [
    "ls migrations/",
    "ls -la db/ && wc -l migrations/*.sql",
    "cat db/002.sql",
    "cat migrations/001_init.sql | head -5",
    "sed -n 1,5p db/002.sql",
    "diff db/002.sql migrations/001_init.sql",
    "git add migrations/001_init.sql db/002.sql",
    "git commit -m 'migrate: add users table'",
    "grep -rn 'ALTER TABLE' db/",
    "mkdir -p migrations && touch migrations/003_tags.sql",
    "echo 'alembic upgrade head'",
    "sqlite3 app.db .tables",
    "sqlite3 app.db '.schema users'",
    "sqlite3 app.db 'SELECT count(*) FROM users'",
    "sqlite3 app.db < queries/report.sql",
    "echo 'SELECT 1' | sqlite3 app.db",
    "psql -c 'select 1'",
    "alembic history",
    "alembic revision -m 'add users'",
    "prisma migrate status",
    "prisma generate",
    "python app.py",
    "python -m pytest -q",
    "npm test && npm run test",
    "bash scripts/check.sh",
    "python3 -m unittest discover -s tests",
]


@pytest.mark.parametrize("command", APPLIES)
def test_these_apply_a_migration(ws: Path, command: str) -> None:
    assert Gate(ws).applies(command), command


@pytest.mark.parametrize("command", HARMLESS)
def test_these_do_not(ws: Path, command: str) -> None:
    assert Gate(ws).applies(command) is None


def test_declared_commands_in_the_config(ws: Path) -> None:
    gate = Gate(ws, declared=["make migrate", "./bin/db-*"])
    assert "migration_commands" in gate.applies("cd . && make migrate ENV=dev")
    assert gate.applies("./bin/db-apply --all")
    assert gate.applies("make test") is None and Gate(ws).applies("make migrate") is None


def test_the_reason_says_what_was_seen(ws: Path) -> None:
    assert "alembic's apply step" in Gate(ws).applies("alembic -c x upgrade head")
    assert "SQL from db/002.sql" in Gate(ws).applies("sqlite3 app.db < db/002.sql")
    assert "apply.py hands a database driver" in Gate(ws).applies("python apply.py")


def test_nested_commands_are_read() -> None:
    words = [c.words for c in simple_commands("a=$(b x) && (c y | d) ; for i in 1; do e; done")]
    assert words == [["a=$(b x)"], ["b", "x"], ["c", "y"], ["d"], ["e"]]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("ab $()<>|&;'\"`\\\n{}[]=-.*/")
            + [
                "sqlite3 ",
                "psql -f ",
                "<<EOF\n",
                "EOF\n",
                "alembic upgrade ",
                "python -c ",
                "bash -c ",
                "$((",
                "[[ ",
                "case ",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_any_text_gets_an_answer_never_a_crash(tmp_path_factory: pytest.TempPathFactory, command: str) -> None:
    answer = Gate(tmp_path_factory.getbasetemp()).applies(command)
    assert answer is None or isinstance(answer, str)


async def test_the_team_refuses_what_the_gate_catches_until_approved(tmp_path: Path) -> None:
    script = [
        [
            call(
                "Bash",
                command="mkdir -p migrations && echo 'CREATE TABLE t (a);' > migrations/002.sql "
                "&& ls migrations/ && cat migrations/002.sql",
            )
        ],
        [call("Bash", command="sqlite3 app.db < migrations/002.sql")],
        [call("RequestApproval", kind="migration", title="002", files=["migrations/002.sql"])],
        [
            call(
                "Bash",
                command='python3 -c "import sqlite3; '
                "sqlite3.connect('app.db').executescript(open('migrations/002.sql').read())\"",
            )
        ],
        [call("EndRun", status="failed", summary="stop")],
    ]
    policy = Policy(PolicyFile(rules=[Rule(kind="migration", decision="approve")]))
    team, _ = make_team(tmp_path, {"lead": script}, [member("lead", lead=True)], policy=policy)
    team.start_session("t1", mode="scripted", scenario=None)
    await asyncio.wait_for(team.run(), 30)
    out = results(team, "lead")
    assert out[0][1], out[0]  # writing, listing and reading the migration is free
    assert not out[1][1] and "needs the person's approval" in out[1][2] and "SQL from migrations/002.sql" in out[1][2]
    assert out[3][1], out[3]
    assert (team.workspace / "app.db").exists()
