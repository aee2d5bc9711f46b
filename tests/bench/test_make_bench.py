"""`make bench` runs bench.events, bench.merkle and bench.list_as_of after bench/run: each runs
to its end at small sizes and prints its figures (no time is asserted). bench.merkle's
tree-off baseline broke once, unseen, when the writer moved to `TransparencyLog.append_at`."""

from __future__ import annotations

import pytest

from bench import events, list_as_of, merkle


def test_the_append_and_replay_bench_prints_its_rates(capsys: pytest.CaptureFixture[str]) -> None:
    events.main(["--events", "10", "--replay", "50"])
    said = capsys.readouterr().out
    assert "registry, 1 signed event per transaction" in said and "replay of an agreement" in said


def test_the_merkle_bench_prints_proofs_and_the_tree_off_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    merkle.main(["--small", "50", "--large", "200", "--appends", "10"])
    said = capsys.readouterr().out
    assert "inclusion" in said and "tree off (leaf index only)" in said


def test_the_as_of_list_bench_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    list_as_of.main(["--quick"])
    assert "| as of today, known now" in capsys.readouterr().out
