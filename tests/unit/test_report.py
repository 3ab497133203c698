"""How a check's report entry reads: the verdict first, repeated answers once."""

from __future__ import annotations

from pathlib import Path

from fixtures.report import folded, verdict_text

DIG = (Path(__file__).parent / "dig_outputs" / "a-of-another-owner.txt").read_text()


def _again(text: str, query_id: str, when: str) -> str:
    return (text.replace("id: 10801", f"id: {query_id}").replace("Query time: 4 msec", "Query time: 9 msec")
            .replace("; EDNS: version: 0, flags:; udp: 8192", "; EDNS: version: 0, flags:; udp: 8192\n; COOKIE: "
                     + query_id + " (echoed)")
            .replace("Fri Nov 27 10:06:49 UTC 2026", when))


def test_the_same_answer_asked_again_is_shown_once_with_a_count() -> None:
    entries = [{"title": "dig A x", "text": DIG}, {"title": "dig A y", "text": "other"},
               {"title": "dig A x", "text": _again(DIG, "4242", "Fri Nov 27 10:06:51 UTC 2026")}]
    assert folded(entries) == [("dig A x (asked 2 times, this answer each time)", DIG), ("dig A y", "other")]


def test_records_in_another_order_are_the_same_answer() -> None:
    rotated = DIG.replace("A 10.244.2.3\nmy-headless-service.ns-1.svc.cluster.local. 5 IN A 10.244.1.2",
                          "A 10.244.1.2\nmy-headless-service.ns-1.svc.cluster.local. 5 IN A 10.244.2.3")
    assert rotated != DIG
    assert len(folded([{"title": "dig A x", "text": DIG}, {"title": "dig A x", "text": rotated}])) == 1


def test_another_answer_to_the_same_command_is_shown_apart() -> None:
    changed = DIG.replace("10.244.9.9", "10.244.9.8")
    assert [title for title, _ in folded([{"title": "dig A x", "text": DIG}, {"title": "dig A x", "text": changed}])] \
        == ["dig A x", "dig A x"]


def test_the_verdict_is_the_message_without_its_type() -> None:
    assert verdict_text("AssertionError: expected A {10.0.0.1}\nseen {}") == "expected A {10.0.0.1}\nseen {}"
    raised = ("headless_conformance.checking.dns.WrongAnswer: 3 of 3 servers answered wrong\nlast seen: x\n"
              "last probe output:\n;")
    assert verdict_text(raised) == "WrongAnswer: 3 of 3 servers answered wrong\nlast seen: x"
    assert verdict_text("ValueError") == "ValueError"
