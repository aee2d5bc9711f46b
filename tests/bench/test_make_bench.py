"""`make bench` runs bench.events, bench.merkle and bench.list_as_of after bench/run, each in a
process of its own: here each runs the same way to its end at small sizes and prints its
figures (no time is asserted). bench.merkle's tree-off baseline broke once, unseen, when the
writer moved to `TransparencyLog.append_at`."""

from __future__ import annotations

import pytest

from tests.bench.runner import run_bench


@pytest.mark.parametrize(
    ("module", "arguments", "said"),
    [
        ("bench.events", ["--events", "10", "--replay", "50"], "replay of an agreement"),
        ("bench.merkle", ["--small", "50", "--large", "200", "--appends", "10"], "tree off"),
        ("bench.list_as_of", ["--quick"], "| as of today, known now"),
    ],
)
def test_each_bench_of_make_bench_runs_to_its_end(
    module: str, arguments: list[str], said: str
) -> None:
    ran = run_bench(module, *arguments)
    assert said in ran.stdout
