"""``partytui serve`` in a real headless browser: the page shows the team, and the token lets it answer by keyboard."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest

from partytui.core.truth.log import read_log
from test_detach_cli import _detached_demo, _partytui, _wait

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

playwright = pytest.importorskip(
    "playwright.sync_api", reason="the browser test needs playwright (pip install -e '.[test]')"
)
pytest.importorskip("textual_serve", reason="partytui serve needs textual-serve (pip install -e '.[serve]')")
if not os.path.exists(CHROMIUM):
    pytest.skip("no chromium on this machine (Debian: apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_browser_sees_the_team_and_answers_with_the_token():
    log = _detached_demo()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "partytui", "serve", log.stem, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = [server.stdout.readline() for _ in range(3)]
        assert "127.0.0.1" in lines[0] and "press u" in lines[1], lines
        token = lines[2].strip()
        received: list[str] = []
        with playwright.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            browser, page, wait = _open_page(p, profile, port, received)
            # what the terminal in the page draws: the board's columns and the request waiting
            wait(lambda: "in progress" in "".join(received) and "pending" in "".join(received), "the board")
            page.locator("body").click()
            page.keyboard.press("u")
            wait(lambda: "Unlock answering" in "".join(received), "the token dialog")
            page.keyboard.type(token)
            page.keyboard.press("Enter")
            wait(lambda: "Decline" in "".join(received), "the request's modal")
            # a key pressed before the modal is armed does nothing (a loaded machine may take seconds to arm
            # it): r is pressed again until the reason box opens
            for _ in range(20):
                page.keyboard.press("r")
                try:
                    _wait(lambda: page.wait_for_timeout(50) or "Why decline" in "".join(received), "", timeout=5)
                    break
                except AssertionError:
                    continue
            wait(lambda: "Why decline" in "".join(received), "the reason box")
            # the reason is sent once the box shows it whole: an r that came after the box opened is cleared
            # first (start, delete to end), and on a loaded machine keys typed into the page have arrived
            # short of their first letters once ("e browser"), so a reason not shown is typed again
            for _ in range(3):
                shown_from = len(received)
                page.keyboard.press("Control+a")
                page.keyboard.press("Control+k")
                page.keyboard.type("from the browser")
                try:
                    wait_shown = lambda: "from the browser" in "".join(received[shown_from:])  # noqa: E731
                    _wait(lambda: page.wait_for_timeout(50) or wait_shown(), "", timeout=20)
                    break
                except AssertionError:
                    continue
            page.keyboard.press("Enter")
            wait(lambda: any(e.type == "approval.answered" for e in read_log(log).events), "the answer in the log")
            browser.close()
        answered = [e for e in read_log(log).events if e.type == "approval.answered"]
        assert [(e.id, e.decision, e.by, e.note) for e in answered] == [(1, "rejected", "human", "from the browser")]
    finally:
        server.terminate()
        server.wait(30)
        _partytui("stop", log.stem)


def _open_page(p, profile, port, received):
    """Chromium on the served page; ``received`` gathers what the page's terminal is sent."""
    browser = p.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=FLAGS, viewport={"width": 1280, "height": 800}
    )
    page = browser.new_page()
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda data: received.append(data if isinstance(data, str) else data.decode("utf-8", "replace")),
        ),
    )

    def wait(predicate, what):  # the page's events arrive while Playwright is called, not during sleep
        _wait(lambda: page.wait_for_timeout(50) or predicate(), what)

    _wait(lambda: _reachable(port), "the server")
    page.goto(f"http://127.0.0.1:{port}/")
    return browser, page, wait


def test_with_no_session_running_a_page_picks_one_from_the_list_and_watches_it():
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "partytui", "serve", "--port", str(port), "--read-only"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = None
    try:
        assert "the sessions running in" in server.stdout.readline()
        received: list[str] = []
        with playwright.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            browser, page, wait = _open_page(p, profile, port, received)
            wait(lambda: "No session is running detached" in "".join(received), "the empty list")
            log = _detached_demo()  # starts after the page opened: the list shows it by itself
            wait(lambda: log.stem in "".join(received), "the session in the list")
            page.locator("body").click()
            page.keyboard.press("Enter")
            # the team's board and its request waiting, drawn by the view attached from the list
            wait(lambda: "in progress" in "".join(received) and "pending" in "".join(received), "the team's board")
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
        if log is not None:
            _partytui("stop", log.stem)


def _reachable(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
