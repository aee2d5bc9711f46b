"""A group's leader waits for writers on their way, and only for them.

The runner here stands in for the recorder's transaction (it records the groups it is given);
the gathering itself is the real GroupCommit's.
"""

from __future__ import annotations

import threading

from registry.store.events.group import GroupCommit, Member

LONG = 60.0  # an upper bound only: every wait below ends as soon as its writer arrives


class Runs:
    def __init__(self) -> None:
        self.groups: list[list[str]] = []

    def __call__(self, group: list[Member]) -> None:
        self.groups.append([member.events[0] for member in group])
        for member in group:
            member.succeed(member.events[0])


def test_a_leader_waits_for_a_writer_that_announced_itself() -> None:
    runs = Runs()
    groups = GroupCommit(runs, gather_seconds=LONG)
    announced, queued = threading.Event(), threading.Event()

    def second() -> None:
        with groups.coming():
            announced.set()
            queued.wait(LONG)
            groups.submit(Member(["second"], {}))

    thread = threading.Thread(target=second)
    thread.start()
    announced.wait(LONG)
    first = threading.Thread(target=groups.submit, args=(Member(["first"], {}),))
    first.start()
    while groups.waiting() < 1:
        threading.Event().wait(0.001)
    queued.set()
    first.join(LONG)
    thread.join(LONG)
    assert runs.groups == [["first", "second"]]


def test_a_lone_writer_commits_alone_and_each_request_gets_its_own_answer() -> None:
    runs = Runs()
    groups = GroupCommit(runs, gather_seconds=LONG)
    answers = [groups.submit(Member([f"w{n}"], {})) for n in range(3)]
    assert answers == ["w0", "w1", "w2"]
    assert runs.groups == [["w0"], ["w1"], ["w2"]]


def test_a_command_refused_before_it_submits_is_no_longer_awaited() -> None:
    runs = Runs()
    groups = GroupCommit(runs, gather_seconds=LONG)
    try:
        with groups.coming():
            raise ValueError("the command was refused")
    except ValueError:
        pass
    assert groups.submit(Member(["after"], {})) == "after"
    assert runs.groups == [["after"]]
