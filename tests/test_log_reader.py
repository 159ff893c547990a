"""read_log's one-pass path gives exactly what the checked path (json.loads + parse_event) gives."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from partytui.core.truth.events import parse_event
from partytui.core.truth.log import read_log

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)

records = st.fixed_dictionaries(
    {"type": st.sampled_from(["text.delta", "thinking.delta", "error", "phase.changed", "some.future.kind"])},
    optional={
        "v": st.integers(min_value=0, max_value=1),
        "seq": st.integers(min_value=0),
        "ts": st.floats(allow_nan=False, allow_infinity=False),
        "agent": st.none() | st.text(max_size=10),
        "text": st.text() | st.just("half a pair \ud800 here"),  # json.dumps escapes it; pydantic refuses it
        "message": st.text(max_size=20),
        "phase": st.sampled_from(["PLAN", "BUILD"]),
        "extra_field": json_values,
    },
)


@settings(max_examples=150, deadline=None)
@given(st.lists(records, min_size=1, max_size=8))
def test_every_line_reads_as_the_checked_path_reads_it(
    tmp_path_factory: object, lines: list[dict[str, object]]
) -> None:
    path = Path(tmp_path_factory.mktemp("log")) / "s.jsonl"  # type: ignore[attr-defined]
    texts = [json.dumps(record) for record in lines]
    path.write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    expected = []
    for text in texts:
        try:
            expected.append(parse_event(json.loads(text)))
        except ValueError:
            return  # a record the checked path refuses is test_bad_input's business
    got = read_log(path).events
    assert [type(e) for e in got] == [type(e) for e in expected]
    assert [e.model_dump() for e in got] == [e.model_dump() for e in expected]
