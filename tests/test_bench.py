"""The quick benchmark runs and reports every section with numbers of the right kinds (never timings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from partytui.bench.feed import Feed, markdown_answer, session_started
from partytui.bench.harness import percentile, slope
from partytui.cli import main
from partytui.core.truth.session import Session

SECTIONS = {"streaming", "approvals", "keys_with_requests", "long_session", "log", "startup", "attached"}


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "bench.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PARTYTUI_SESSION_DIR", str(folder / "sessions"))
        (folder / "config.yaml").write_text("")
        mp.setenv("PARTYTUI_CONFIG", str(folder / "config.yaml"))
        mp.setenv("TMPDIR", str(folder))
        assert main(["bench", "--quick", "--json", str(out)]) == 0
    return json.loads(out.read_text())


@pytest.mark.slow
def test_quick_bench_reports_every_section(quick_report: dict) -> None:
    assert quick_report["mode"] == "quick"
    assert quick_report["machine"]["cores"] >= 1
    sections = {s["key"]: s for s in quick_report["sections"]}
    assert set(sections) == SECTIONS
    for section in sections.values():
        assert section["metrics"], section["key"]
        for metric in section["metrics"]:
            assert isinstance(metric["label"], str) and metric["label"]
            assert metric["value"] is None or isinstance(metric["value"], (int, float))
            assert metric["ok"] in (None, True, False)
            if metric["target"]:
                assert metric["target"].split()[0] in ("<=", ">=")


@pytest.mark.slow
def test_quick_bench_measures_both_ways_and_every_number(quick_report: dict) -> None:
    sections = {s["key"]: s for s in quick_report["sections"]}
    streaming = sections["streaming"]["detail"]
    assert streaming["partytui"] and streaming["naive"] and streaming["toad"], "every way ran in the same run"
    for step in streaming["partytui"] + streaming["naive"] + streaming["toad"]:
        assert step["rate"] > 0 and step["achieved"] > 0
        assert step["keys"] > 0 and step["key_p99_ms"] is not None
        assert isinstance(step["sustained"], bool)
    assert streaming["sdk"]["deltas"] > 0
    approvals = sections["approvals"]["detail"]
    assert approvals["shown"] == approvals["requests"] > 0
    for part in ("composed", "mounted", "first_frame"):
        assert approvals["split_ms"][part]["p50"] is not None, part
    split = approvals["split_ms"]
    assert split["composed"]["p50"] <= split["mounted"]["p50"] <= split["first_frame"]["p50"]
    keys = sections["keys_with_requests"]["detail"]
    for load in ("60", "240"):
        assert keys[load]["plain"]["keys"] > 0 and keys[load]["with_requests"]["shown"] > 0
    long = sections["long_session"]["detail"]
    assert long["tokens"] >= 10_000 and long["rss_end_mb"] > 0
    assert long["key_p99_start_ms"] is not None and long["key_p99_end_ms"] is not None
    log = sections["log"]["detail"]
    assert log["events"] == 10_000 and log["open_s"] > 0 and log["bare_parse_s"] > 0
    startup = sections["startup"]["detail"]
    assert startup["help_runs"] == 3 and startup["demo_runs"] == 1
    attached = sections["attached"]["detail"]
    for way in ("tui_240", "link_240"):  # every delta of the window reached the attached side, and was timed
        assert attached[way]["sent"] > 0 and attached[way]["received"] == attached[way]["sent"], way
        assert attached[way]["p50_ms"] is not None and attached[way]["p99_ms"] is not None, way


def test_bench_refuses_a_json_path_in_a_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--quick", "--json", str(tmp_path / "nowhere" / "out.json")]) == 2
    assert "no such directory" in capsys.readouterr().err


def test_feed_emits_deltas_the_way_the_agent_loop_does() -> None:
    session = Session()
    session.emit(session_started())
    feed = Feed(session)
    for _ in range(4000):  # enough for every agent to finish a turn and call a tool
        feed.emit_one()
    assert feed.deltas == 4000
    texts = {
        name: "".join(e.text for e in view.transcript if e.kind == "text")
        for name, view in session.state.agents.items()
    }
    for name, marks in feed.offsets.items():
        assert marks[-1] == len(texts[name])  # what the feed counts is what the state shows
    assert any(e.kind == "tool" for view in session.state.agents.values() for e in view.transcript)


def test_markdown_answers_have_paragraphs_lists_and_code() -> None:
    import random

    rng = random.Random(1)
    text = "".join(markdown_answer(rng) for _ in range(20))
    assert "```python" in text and "\n- " in text and "\n\n" in text


def test_a_key_wait_belongs_to_the_moment_the_key_was_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    from partytui.bench import harness

    now = [10.0]
    monkeypatch.setattr(harness.time, "perf_counter", lambda: now[0])
    latency = harness.KeyLatency()
    latency.sent = {1: 9.0, 2: 10.5, 3: 11.9}  # sent before, inside and at the end of the window [10, 12)
    now[0] = 10.6
    latency.handled(1)  # handled inside the window, sent before it: not the window's
    latency.handled(2)
    assert latency.unhandled_between(10, 12) == 1  # key 3 still waits
    now[0] = 12.4
    latency.handled(3)  # handled after the window closed: still the window's, with its whole wait
    assert latency.between(10, 12) == pytest.approx([0.1, 0.5])
    assert latency.unhandled_between(10, 12) == 0


def test_statistics() -> None:
    assert percentile([], 99) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile(list(range(1, 101)), 99) == 99
    assert slope([(0, 0), (1, 2), (2, 4)]) == pytest.approx(2.0)
    assert slope([(0, 5)]) == 0.0


def test_a_quick_report_judges_no_target_and_a_full_one_names_what_it_missed() -> None:
    from partytui.bench.report import Metric, Section, render_text

    info = {"cpu": "cpu", "cores": 2, "memory_gb": 1.0, "python": "3", "textual": "8"}
    section = Section("streaming", "1. Streaming")
    section.metrics = [Metric.check("rate", "highest sustained rate", 1000, "deltas/s", ">=", 5000)]
    quick, full = render_text([section], info, "quick"), render_text([section], info, "full")
    assert "MISSED" not in quick and "targets are judged by a full run" in quick
    assert "MISSED" in full and full.endswith("targets missed: 1")


def test_a_run_is_compared_with_an_earlier_one_by_ratios() -> None:
    from partytui.bench.report import Metric, Section, render_comparison

    info = {"cpu": "new cpu", "cores": 2, "python": "3.11", "textual": "8"}
    section = Section("streaming", "1. Streaming")
    section.metrics = [
        Metric("partytui_sustained", "highest sustained rate", 12000, "deltas/s"),
        Metric("fresh", "a number the earlier run did not have", 3, "x"),
    ]
    before = {
        "mode": "full",
        "machine": {"cpu": "old cpu", "cores": 2},
        "sections": [{"key": "streaming", "metrics": [{"key": "partytui_sustained", "value": 10000}]}],
    }
    text = render_comparison([section], info, before, "full-run.json")
    assert "this machine: new cpu" in text and "that machine: old cpu" in text
    assert "1.20x" in text and "did not have" not in text


def test_compare_refuses_a_file_that_is_not_a_bench_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope\n}")
    assert main(["bench", "--quick", "--compare", str(bad)]) == 2
    assert f"{bad}:2" in capsys.readouterr().err
    assert main(["bench", "--quick", "--compare", str(tmp_path / "missing.json")]) == 2
    assert "missing.json" in capsys.readouterr().err
