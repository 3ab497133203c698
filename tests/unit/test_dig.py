"""Parsing of dig's text output, checked against real BIND 9.9 output and BIND 9.18-style variants."""

from __future__ import annotations

from pathlib import Path

import dns.rdtypes.ANY.SOA
import pytest

from headless_conformance.checking.dig import (
    DigAnswer,
    DigParseError,
    Record,
    dig_argv,
    dig_multi_argv,
    parallel_digs_argv,
    parse_dig_output,
    split_multi_dig,
    split_parallel_digs,
    unanswering_servers,
)

SVC = "my-headless-service.default.svc.cluster.local."

# BIND 9.9 output as published, for the SRV and A queries against a three-pod headless Service.
DIG99_SRV = """\
; <<>> DiG 9.9.5-3ubuntu0.2-Ubuntu <<>> _http._tcp.my-headless-service.default.svc.cluster.local SRV
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 61360
;; flags: qr aa rd; QUERY: 1, ANSWER: 3, AUTHORITY: 0, ADDITIONAL: 4
;; WARNING: recursion requested but not available

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 4096
;; QUESTION SECTION:
;_http._tcp.my-headless-service.default.svc.cluster.local. IN SRV

;; ANSWER SECTION:
_http._tcp.my-headless-service.default.svc.cluster.local. 5 IN SRV 0 33 80 10-42-0-138.my-headless-service.default.svc.cluster.local.
_http._tcp.my-headless-service.default.svc.cluster.local. 5 IN SRV 0 33 80 10-42-0-137.my-headless-service.default.svc.cluster.local.
_http._tcp.my-headless-service.default.svc.cluster.local. 5 IN SRV 0 33 80 10-42-0-139.my-headless-service.default.svc.cluster.local.

;; ADDITIONAL SECTION:
10-42-0-137.my-headless-service.default.svc.cluster.local. 5 IN A 10.42.0.137
10-42-0-139.my-headless-service.default.svc.cluster.local. 5 IN A 10.42.0.139
10-42-0-138.my-headless-service.default.svc.cluster.local. 5 IN A 10.42.0.138

;; Query time: 0 msec
;; SERVER: 10.43.0.10#53(10.43.0.10)
;; WHEN: Tue May 02 08:58:58 UTC 2023
;; MSG SIZE  rcvd: 703
"""  # noqa: E501

DIG99_A = """\
; <<>> DiG 9.9.5-3ubuntu0.2-Ubuntu <<>> my-headless-service.default.svc.cluster.local
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 14273
;; flags: qr aa rd; QUERY: 1, ANSWER: 3, AUTHORITY: 0, ADDITIONAL: 1
;; WARNING: recursion requested but not available

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 4096
;; QUESTION SECTION:
;my-headless-service.default.svc.cluster.local. IN A

;; ANSWER SECTION:
my-headless-service.default.svc.cluster.local. 5 IN A 10.42.0.137
my-headless-service.default.svc.cluster.local. 5 IN A 10.42.0.139
my-headless-service.default.svc.cluster.local. 5 IN A 10.42.0.138

;; Query time: 0 msec
;; SERVER: 10.43.0.10#53(10.43.0.10)
;; WHEN: Tue May 02 08:58:40 UTC 2023
;; MSG SIZE  rcvd: 283
"""

# BIND 9.18 (Debian bookworm) separates fields with tabs, prints a COOKIE, the .local warning and
# the transport after the server.
_STS = "my-app-statefulset-{}.my-headless-service.ns-1.svc.cluster.local."
DIG918_SRV = (
    "\n"
    "; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> +tries=2 +time=3 "
    "_http._tcp.my-headless-service.ns-1.svc.cluster.local. SRV\n"
    ";; global options: +cmd\n"
    ";; WARNING: .local is reserved for Multicast DNS\n"
    ";; You are currently testing what happens when an mDNS query is leaked to DNS\n"
    ";; Got answer:\n"
    ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 40110\n"
    ";; flags: qr aa rd; QUERY: 1, ANSWER: 3, AUTHORITY: 0, ADDITIONAL: 4\n"
    ";; WARNING: recursion requested but not available\n"
    "\n"
    ";; OPT PSEUDOSECTION:\n"
    "; EDNS: version: 0, flags:; udp: 1232\n"
    "; COOKIE: 8e4e1b1a2b3c4d5e0100000065614f2a9d1e2f3a4b5c6d7e (good)\n"
    ";; QUESTION SECTION:\n"
    ";_http._tcp.my-headless-service.ns-1.svc.cluster.local. IN SRV\n"
    "\n"
    ";; ANSWER SECTION:\n"
    + "".join(
        f"_http._tcp.my-headless-service.ns-1.svc.cluster.local. 30 IN\tSRV\t0 33 80 {_STS.format(i)}\n"
        for i in (1, 0, 2)
    )
    + "\n"
    ";; ADDITIONAL SECTION:\n"
    f"{_STS.format(0)}\t30\tIN\tA\t10.244.1.5\n"
    f"{_STS.format(1)}\t30\tIN\tA\t10.244.2.7\n"
    f"{_STS.format(2)}\t30\tIN\tA\t10.244.1.6\n"
    "\n"
    ";; Query time: 0 msec\n"
    ";; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n"
    ";; WHEN: Sun Nov 26 07:12:41 UTC 2023\n"
    ";; MSG SIZE  rcvd: 735\n"
    "\n"
)

DIG918_NXDOMAIN = (
    "\n"
    "; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> +tries=2 +time=3 nope.default.svc.cluster.local. A\n"
    ";; global options: +cmd\n"
    ";; Got answer:\n"
    ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 5821\n"
    ";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1\n"
    ";; WARNING: recursion requested but not available\n"
    "\n"
    ";; OPT PSEUDOSECTION:\n"
    "; EDNS: version: 0, flags:; udp: 1232\n"
    "; COOKIE: 1b6f2c0e5d9a4e7b0100000065635b1b7c0f6a2e9d4c3b1a (good)\n"
    ";; QUESTION SECTION:\n"
    ";nope.default.svc.cluster.local.\tIN\tA\n"
    "\n"
    ";; AUTHORITY SECTION:\n"
    "cluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. "
    "1700000000 7200 1800 86400 30\n"
    "\n"
    ";; Query time: 0 msec\n"
    ";; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n"
    ";; WHEN: Sun Nov 26 07:20:11 UTC 2023\n"
    ";; MSG SIZE  rcvd: 163\n"
)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


class TestBind99:
    def test_srv_answer(self) -> None:
        ans = parse_dig_output(DIG99_SRV, command="dig _http._tcp... SRV")
        assert ans.command == "dig _http._tcp... SRV"
        assert ans.raw == DIG99_SRV
        assert ans.rcode == "NOERROR"
        assert ans.flags == frozenset({"qr", "aa", "rd"})
        assert ans.question == "_http._tcp." + SVC
        assert ans.qtype == "SRV"
        assert ans.server == "10.43.0.10"
        assert ans.authority == ()
        assert ans.warnings == ("WARNING: recursion requested but not available",)
        srv = ans.srv()
        assert len(srv) == len(ans.answer) == 3
        assert [r.target for r in srv] == [f"10-42-0-{n}.{SVC}" for n in (138, 137, 139)]
        assert {(r.name, r.ttl, r.rdtype, r.priority, r.weight, r.port) for r in srv} == {
            ("_http._tcp." + SVC, 5, "SRV", 0, 33, 80)
        }

    def test_srv_additional_glue(self) -> None:
        ans = parse_dig_output(DIG99_SRV)
        assert [(r.name, r.ttl, r.rdtype, r.address) for r in ans.additional] == [
            (f"10-42-0-137.{SVC}", 5, "A", "10.42.0.137"),
            (f"10-42-0-139.{SVC}", 5, "A", "10.42.0.139"),
            (f"10-42-0-138.{SVC}", 5, "A", "10.42.0.138"),
        ]
        assert ans.additional_addresses() == {
            f"10-42-0-{n}.{SVC}": frozenset({f"10.42.0.{n}"}) for n in (137, 138, 139)
        }
        # Every SRV target has exactly its glue record.
        assert {r.target for r in ans.srv()} == set(ans.additional_addresses())
        assert ans.addresses() == frozenset()

    def test_a_answer(self) -> None:
        ans = parse_dig_output(DIG99_A)
        assert ans.rcode == "NOERROR"
        assert ans.flags == frozenset({"qr", "aa", "rd"})
        assert (ans.question, ans.qtype) == (SVC, "A")
        assert ans.addresses() == frozenset({"10.42.0.137", "10.42.0.138", "10.42.0.139"})
        assert ans.addresses("AAAA") == frozenset()
        assert {(r.name, r.ttl, r.rdtype) for r in ans.answer} == {(SVC, 5, "A")}
        assert ans.srv() == ()
        assert ans.additional == ()
        assert ans.additional_addresses() == {}
        assert ans.server == "10.43.0.10"


class TestBind918:
    def test_tabs_cookie_and_trailer(self) -> None:
        ans = parse_dig_output(DIG918_SRV)
        assert ans.rcode == "NOERROR"
        assert ans.flags == frozenset({"qr", "aa", "rd"})
        assert ans.question == "_http._tcp.my-headless-service.ns-1.svc.cluster.local."
        assert ans.server == "10.96.0.10"
        assert ans.warnings == (
            "WARNING: .local is reserved for Multicast DNS",
            "WARNING: recursion requested but not available",
        )
        assert [(r.ttl, r.priority, r.weight, r.port, r.target) for r in ans.srv()] == [
            (30, 0, 33, 80, _STS.format(1)),
            (30, 0, 33, 80, _STS.format(0)),
            (30, 0, 33, 80, _STS.format(2)),
        ]
        assert ans.additional_addresses() == {
            _STS.format(0): frozenset({"10.244.1.5"}),
            _STS.format(1): frozenset({"10.244.2.7"}),
            _STS.format(2): frozenset({"10.244.1.6"}),
        }

    def test_nxdomain_with_soa(self) -> None:
        ans = parse_dig_output(DIG918_NXDOMAIN)
        assert ans.rcode == "NXDOMAIN"
        assert ans.flags == frozenset({"qr", "aa", "rd"})
        assert (ans.question, ans.qtype) == ("nope.default.svc.cluster.local.", "A")
        assert ans.answer == ()
        assert ans.additional == ()
        assert ans.addresses() == frozenset()
        (soa,) = ans.authority
        assert (soa.name, soa.ttl, soa.rdtype) == ("cluster.local.", 30, "SOA")
        assert isinstance(soa.rdata, dns.rdtypes.ANY.SOA.SOA)
        assert soa.rdata.mname.to_text() == "ns.dns.cluster.local."
        assert soa.rdata.rname.to_text() == "hostmaster.cluster.local."
        assert (
            soa.rdata.serial,
            soa.rdata.refresh,
            soa.rdata.retry,
            soa.rdata.expire,
            soa.rdata.minimum,
        ) == (
            1700000000,
            7200,
            1800,
            86400,
            30,
        )
        assert str(soa) == (
            "cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. "
            "1700000000 7200 1800 86400 30"
        )

    def test_multiline_soa(self) -> None:
        multiline = _replace(
            DIG918_NXDOMAIN,
            "hostmaster.cluster.local. 1700000000 7200 1800 86400 30\n",
            "hostmaster.cluster.local. (\n"
            "\t\t\t\t1700000000 ; serial\n"
            "\t\t\t\t7200       ; refresh (2 hours)\n"
            "\t\t\t\t1800       ; retry (30 minutes)\n"
            "\t\t\t\t86400      ; expire (1 day)\n"
            "\t\t\t\t30         ; minimum (30 seconds)\n"
            "\t\t\t\t)\n",
        )
        assert parse_dig_output(multiline).authority == parse_dig_output(DIG918_NXDOMAIN).authority

    def test_servfail_without_records(self) -> None:
        text = (
            "; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> +tries=2 +time=3 x.default.svc.cluster.local. A\n"
            ";; global options: +cmd\n"
            ";; Got answer:\n"
            ";; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 2210\n"
            ";; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n"
            ";; WARNING: recursion requested but not available\n"
            "\n"
            ";; OPT PSEUDOSECTION:\n"
            "; EDNS: version: 0, flags:; udp: 1232\n"
            ";; QUESTION SECTION:\n"
            ";x.default.svc.cluster.local.\tIN\tA\n"
            "\n"
            ";; Query time: 4 msec\n"
            ";; SERVER: fd00:10:96::a#53(fd00:10:96::a) (UDP)\n"
        )
        ans = parse_dig_output(text)
        assert ans.rcode == "SERVFAIL"
        assert ans.flags == frozenset({"qr", "rd"})
        assert (ans.answer, ans.authority, ans.additional) == ((), (), ())
        assert ans.server == "fd00:10:96::a"


class TestNormalisation:
    def test_names_are_lower_cased_and_absolute(self) -> None:
        text = _replace(DIG99_SRV, "80 10-42-0-138.my-headless-service", "80 10-42-0-138.My-Headless-Service")
        text = _replace(text, "\n10-42-0-137.my-headless-service", "\n10-42-0-137.MY-HEADLESS-SERVICE")
        ans = parse_dig_output(text)
        assert ans.srv()[0].target == f"10-42-0-138.{SVC}"
        assert f"10-42-0-137.{SVC}" in ans.additional_addresses()

    def test_aaaa_records(self) -> None:
        text = (
            ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n"
            ";; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 0\n"
            "\n"
            ";; QUESTION SECTION:\n"
            f";{SVC}\t\tIN\tAAAA\n"
            "\n"
            ";; ANSWER SECTION:\n"
            f"{SVC}\t5\tIN\tAAAA\tFD00:10:244:1:0:0:0:5\n"
            f"{SVC}\t5\tIN\tAAAA\tfd00:10:244:2::7\n"
        )
        ans = parse_dig_output(text)
        assert ans.addresses("AAAA") == frozenset({"fd00:10:244:1::5", "fd00:10:244:2::7"})
        assert ans.addresses("aaaa") == ans.addresses("AAAA")
        assert ans.addresses("A") == frozenset()
        assert ans.server is None

    def test_dual_stack_glue_is_grouped_by_name(self) -> None:
        text = (
            ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n"
            ";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 2\n"
            "\n"
            ";; QUESTION SECTION:\n"
            f";_http._tcp.{SVC} IN SRV\n"
            "\n"
            ";; ANSWER SECTION:\n"
            f"_http._tcp.{SVC} 5 IN SRV 0 100 80 pod-0.{SVC}\n"
            "\n"
            ";; ADDITIONAL SECTION:\n"
            f"pod-0.{SVC} 5 IN A 10.42.0.5\n"
            f"pod-0.{SVC} 5 IN AAAA fd00::5\n"
        )
        ans = parse_dig_output(text)
        assert ans.additional_addresses() == {f"pod-0.{SVC}": frozenset({"10.42.0.5", "fd00::5"})}
        assert ans.srv()[0].weight == 100

    def test_noclass_output(self) -> None:
        text = _replace(DIG99_A, "5 IN A 10.42.0.137", "5 A 10.42.0.137")
        assert parse_dig_output(text).addresses() == parse_dig_output(DIG99_A).addresses()


class TestRecord:
    def test_type_specific_properties_refuse_other_types(self) -> None:
        ans = parse_dig_output(DIG99_SRV)
        srv, glue = ans.srv()[0], ans.additional[0]
        with pytest.raises(ValueError, match="SRV record has no address"):
            _ = srv.address
        for prop in ("priority", "weight", "port", "target"):
            with pytest.raises(ValueError, match="A record is not SRV"):
                getattr(glue, prop)

    def test_records_are_hashable_values(self) -> None:
        first, second = parse_dig_output(DIG99_SRV), parse_dig_output(DIG99_SRV)
        assert set(first.answer) == set(second.answer)
        assert isinstance(first, DigAnswer)
        assert all(isinstance(r, Record) for r in first.answer)
        assert str(first.additional[0]) == f"10-42-0-137.{SVC} 5 IN A 10.42.0.137"

    def test_addresses_rejects_non_address_types(self) -> None:
        with pytest.raises(ValueError, match="'A' or 'AAAA'"):
            parse_dig_output(DIG99_A).addresses("SRV")


class TestFailures:
    def test_timeout_bind99(self) -> None:
        text = (
            "\n; <<>> DiG 9.9.5-3ubuntu0.2-Ubuntu <<>> my-headless-service.default.svc.cluster.local\n"
            ";; global options: +cmd\n"
            ";; connection timed out; no servers could be reached\n"
        )
        with pytest.raises(DigParseError) as info:
            parse_dig_output(text, command="dig my-headless-service A")
        message = str(info.value)
        first, *rest = message.splitlines()
        assert first == (
            "no DNS response in dig output: connection timed out; no servers could be reached "
            "(command: dig my-headless-service A)"
        )
        assert "  | ;; connection timed out; no servers could be reached" in rest
        assert info.value.reason.startswith("no DNS response")
        assert info.value.text == text
        assert isinstance(info.value, ValueError)

    def test_timeout_bind918(self) -> None:
        text = (
            ";; communications error to 10.96.0.10#53: timed out\n"
            ";; communications error to 10.96.0.10#53: timed out\n"
            "\n"
            "; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> +tries=2 +time=3 x.svc.cluster.local. A\n"
            ";; global options: +cmd\n"
            ";; no servers could be reached\n"
        )
        with pytest.raises(DigParseError, match=r"^no DNS response in dig output: communications error"):
            parse_dig_output(text)

    def test_unknown_failure_and_preview_is_cut(self) -> None:
        text = "\n".join(f"line {i}" for i in range(20))
        with pytest.raises(DigParseError) as info:
            parse_dig_output(text)
        lines = str(info.value).splitlines()
        assert lines[0] == "no DNS response in dig output (no ->>HEADER<<- line)"
        assert lines[1:] == [f"  | line {i}" for i in range(8)] + ["  | ... (12 more lines)"]

    def test_empty_output(self) -> None:
        with pytest.raises(DigParseError, match="dig printed nothing"):
            parse_dig_output("")

    def test_missing_record_is_detected(self) -> None:
        text = _replace(DIG99_SRV, f"_http._tcp.{SVC[:-1]}. 5 IN SRV 0 33 80 10-42-0-137.{SVC}\n", "")
        with pytest.raises(DigParseError, match=r"header counts .* do not match"):
            parse_dig_output(text)

    def test_two_responses_are_refused(self) -> None:
        with pytest.raises(DigParseError, match="found 2 ->>HEADER<<- lines"):
            parse_dig_output(DIG99_A + DIG99_SRV)

    def test_bad_record_names_its_line(self) -> None:
        text = _replace(DIG99_A, "5 IN A 10.42.0.139", "5 IN A 10.42.0.999")
        with pytest.raises(DigParseError, match=r"cannot parse ANSWER record on line 15 .*10\.42\.0\.999"):
            parse_dig_output(text)


class TestDigArgv:
    def test_argv(self) -> None:
        assert dig_argv(SVC, "A") == ["dig", "+tries=2", "+time=3", SVC, "A"]
        assert dig_argv("_http._tcp." + SVC, "srv") == [
            "dig",
            "+tries=2",
            "+time=3",
            "_http._tcp." + SVC,
            "SRV",
        ]

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            ("", "bad DNS name"),
            (" x.", "bad DNS name"),
            ("a b.", "bad DNS name"),
            ("-x", "read by dig as an option"),
            ("+short", "read by dig as an option"),
            ("@10.0.0.1", "read by dig as an option"),
        ],
    )
    def test_rejects_names_dig_would_misread(self, name: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            dig_argv(name, "A")

    def test_rejects_unknown_type(self) -> None:
        with pytest.raises(ValueError, match="unknown DNS record type 'NOPE'"):
            dig_argv(SVC, "NOPE")


# Real dig 9.18 output for responses a server could send, captured by tests/unit/dig_outputs/capture.py.
OUTPUTS = Path(__file__).resolve().parent / "dig_outputs"
NS1 = "my-headless-service.ns-1.svc.cluster.local."


def captured(case: str, query: tuple[str, str] | None = None) -> DigAnswer:
    return parse_dig_output((OUTPUTS / f"{case}.txt").read_text(), command=f"dig ({case})", query=query)


class TestStrictReader:
    def test_a_clean_answer_has_no_problems(self) -> None:
        ans = parse_dig_output(DIG99_A, query=(SVC, "A"))
        assert ans.problems() == []
        assert ans.owner == SVC and ans.cname_chain == ()

    def test_records_of_another_owner_are_not_answers(self) -> None:
        ans = captured("a-of-another-owner", (NS1, "A"))
        assert ans.addresses() == {"10.244.1.2", "10.244.2.3"}
        assert [str(r) for r in ans.unrelated()] == ["my-other-service.ns-1.svc.cluster.local. 5 IN A 10.244.9.9"]
        assert ans.problems() == [
            "record answering nothing asked: my-other-service.ns-1.svc.cluster.local. 5 IN A 10.244.9.9"]

    def test_a_cname_is_followed_explicitly_and_reported(self) -> None:
        ans = captured("cname-then-a", (NS1, "A"))
        assert [r.rdtype for r in ans.cname_chain] == ["CNAME"]
        assert ans.owner == "elsewhere.ns-1.svc.cluster.local."
        assert ans.addresses() == {"10.244.1.2", "10.244.2.3"}
        assert ans.problems() == [f"answered through a CNAME: {NS1} -> elsewhere.ns-1.svc.cluster.local."]
        assert ans.problems(allow_cname=True) == []

    def test_srv_records_under_another_port_are_not_answers(self) -> None:
        srv_name = f"_http._tcp.{NS1}"
        ans = captured("srv-under-another-port", (srv_name, "SRV"))
        assert sorted(r.target for r in ans.srv()) == [f"10-244-1-2.{NS1}", f"10-244-2-3.{NS1}"]
        assert {r.port for r in ans.srv()} == {80}
        (stray,) = ans.unrelated()
        assert (stray.name, stray.port) == (f"_metrics._tcp.{NS1}", 9090)
        assert len(ans.problems()) == 1

    def test_duplicates_are_counted_not_collapsed(self) -> None:
        ans = captured("duplicate-a", (NS1, "A"))
        assert ans.address_counts() == {"10.244.1.2": 2, "10.244.2.3": 1}
        assert ans.addresses() == {"10.244.1.2", "10.244.2.3"}
        assert ans.duplicates() == {f"{NS1} A 10.244.1.2": 2}
        assert ans.problems() == [f"duplicate record (2x): {NS1} A 10.244.1.2"]

    def test_a_truncated_answer_is_flagged_incomplete(self) -> None:
        ans = captured("truncated-kept", (NS1, "A"))
        assert ans.truncated and ans.transport == "UDP" and not ans.retried_over_tcp
        assert len(ans.addresses()) == 20
        assert ans.problems() == ["truncated (TC flag): the server had more records than this answer holds"]

    def test_the_answer_dig_got_over_tcp_after_truncation_is_complete(self) -> None:
        ans = captured("truncated-retried-over-tcp", (NS1, "A"))
        assert ans.retried_over_tcp and ans.transport == "TCP" and not ans.truncated
        assert len(ans.addresses()) == 60
        assert ans.problems() == []

    def test_output_for_another_question_is_an_error(self) -> None:
        with pytest.raises(DigParseError, match=rf"^the response answers {NS1} A, not the query other\.ns-1\."):
            captured("a-of-another-owner", ("other.ns-1.svc.cluster.local.", "A"))
        with pytest.raises(DigParseError, match=rf"answers {NS1} A, not the query {NS1} AAAA"):
            captured("a-of-another-owner", (NS1, "AAAA"))

    def test_the_question_compares_case_insensitively(self) -> None:
        assert captured("a-of-another-owner", (NS1.upper(), "a")).question == NS1

    def test_dig_itself_refuses_a_response_to_another_question(self) -> None:
        with pytest.raises(DigParseError) as info:
            captured("question-mismatch", (NS1, "A"))
        assert info.value.reason == ("no DNS response in dig output: ;; Question section mismatch: "
                                     "got other-service.ns-1.svc.cluster.local/A/IN")
        assert info.value.reason.startswith("no DNS response")

    def test_transports_in_dig_argv(self) -> None:
        assert dig_argv(SVC, "A", transport="tcp") == ["dig", "+tries=2", "+time=3", SVC, "A", "+tcp"]
        assert dig_argv(SVC, "A", transport="udp-keep-truncated")[5] == "+ignore"
        with pytest.raises(ValueError, match="transport 'quic'"):
            dig_argv(SVC, "A", transport="quic")


# Several queries in one dig (9.18), captured in a kind cluster's probe pod: three answered, and
# four of which two went to servers that do not answer.
KUBERNETES = "kubernetes.default.svc.cluster.local."


class TestSeveralQueriesInOneDig:
    def test_each_query_keeps_its_own_type_transport_and_server(self) -> None:
        argv = dig_multi_argv([(SVC, "A", "10.244.0.2", "udp"), (SVC, "AAAA", None, "tcp")])
        assert argv == ["dig", "+tries=2", "+time=3", SVC, "A", "@10.244.0.2", SVC, "AAAA", "+tcp"]
        assert dig_multi_argv([(SVC, "A", "10.244.0.2", "udp")], port=5353)[-2:] == ["-p", "5353"]

    def test_answered_queries_are_cut_at_each_message_size_line_and_parse_in_order(self) -> None:
        text = (OUTPUTS / "multi-three-queries.txt").read_text()
        parts = split_multi_dig(text, 3)
        assert parts is not None and all(part.lstrip().startswith(";; Got answer:") for part in parts)
        assert "".join(parts) in text
        answers = [parse_dig_output(part, query=q) for part, q in zip(parts, [
            (KUBERNETES, "A"), (KUBERNETES, "AAAA"), ("nosuch." + KUBERNETES, "A")], strict=True)]
        assert [a.rcode for a in answers] == ["NOERROR", "NOERROR", "NXDOMAIN"]
        assert answers[0].addresses("A") == {"10.96.0.1"} and answers[1].transport == "TCP"
        assert answers[2].server == "10.96.0.10"

    def test_a_query_without_a_response_makes_the_output_uncuttable(self) -> None:
        text = (OUTPUTS / "multi-with-unreachable-servers.txt").read_text()
        assert split_multi_dig(text, 4) is None

    def test_the_servers_that_gave_no_response_are_named(self) -> None:
        text = (OUTPUTS / "multi-with-unreachable-servers.txt").read_text()
        assert unanswering_servers(text) == {("10.244.0.99", 53)}
        assert unanswering_servers(";; communications error to fd00:10:244::5#5353: timed out\n") == {
            ("fd00:10:244::5", 5353)}
        assert unanswering_servers((OUTPUTS / "multi-three-queries.txt").read_text()) == set()

    def test_where_no_query_got_a_response_each_gets_the_whole_output(self) -> None:
        text = (OUTPUTS / "multi-with-unreachable-servers.txt").read_text()
        silent = "".join(line for line in text.splitlines(keepends=True)
                         if "10.244.0.99" in line or "no servers" in line)
        parts = split_multi_dig(silent, 2)
        assert parts == [silent, silent]
        with pytest.raises(DigParseError, match="no DNS response"):
            parse_dig_output(parts[0], query=(KUBERNETES, "AAAA"))

    def test_another_count_of_responses_than_queries_is_uncuttable(self) -> None:
        text = (OUTPUTS / "multi-three-queries.txt").read_text()
        assert split_multi_dig(text, 2) is None and split_multi_dig(text, 4) is None


def test_digs_run_at_once_come_back_each_in_its_part_in_order() -> None:
    import subprocess

    argv = parallel_digs_argv([["sh", "-c", "sleep 0.3; echo first"], ["echo", "second"], ["printf", "no newline"]])
    done = subprocess.run(argv, capture_output=True, text=True, check=True)

    assert split_parallel_digs(done.stdout, 3) == ["first\n", "second\n", "no newline\n"]
    assert split_parallel_digs(done.stdout, 2) is None
