"""Careless command lines get a clear answer: no option is guessed from a prefix, and `demo --help` says
what each option does."""

from __future__ import annotations

import argparse

import pytest

from partytui.cli import build_parser, main


def every_parser(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += every_parser(sub)
    return found


def test_no_parser_or_subparser_matches_an_option_by_its_prefix() -> None:
    parsers = every_parser(build_parser())
    assert len(parsers) > 5
    assert [p.prog for p in parsers if p.allow_abbrev] == []


@pytest.mark.parametrize(
    "argv",
    [["demo", "--headles"], ["run", "goal", "--headl"], ["summary", "x", "--js"], ["export", "x", "--form", "md"]],
)
def test_a_prefix_of_an_option_is_an_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_demo_help_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["demo", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "scripted" in out
    demo = next(p for p in every_parser(build_parser()) if p.prog.endswith(" demo"))
    undocumented = [a.option_strings for a in demo._actions if not a.help]
    assert undocumented == []
    for option in ("--headless", "--approve", "--speed", "--workspace", "--session-dir"):
        assert option in out
