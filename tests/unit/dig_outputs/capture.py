"""Capture the dig outputs the reader's unit tests parse: real dig, asking a stub server on loopback.

Each case is a DNS response a misbehaving (or merely different) server could send; the stub sends
it, the real `dig` prints it, and its output is saved next to this file as <case>.txt. Run it where
dig (Debian's bind9-dnsutils, the probe image's) is installed:

    .venv/bin/python tests/unit/dig_outputs/capture.py

The stub answers on 127.0.0.1 only, over UDP and TCP.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import dns.flags
import dns.message
import dns.rcode
import dns.rrset

HERE = Path(__file__).resolve().parent
SVC = "my-headless-service.ns-1.svc.cluster.local."
SRV = f"_http._tcp.{SVC}"


def rr(name: str, rdtype: str, *rdatas: str, ttl: int = 5) -> dns.rrset.RRset:
    return dns.rrset.from_text(name, ttl, "IN", rdtype, *rdatas)


def pods(n: int) -> list[str]:
    return [f"10.244.{1 + i // 250}.{2 + i % 250}" for i in range(n)]


# case -> (query name, query type, extra dig options, how to build the response from the query)
Build = Callable[[dns.message.Message, bool], dns.message.Message]


def answer_with(*sets: dns.rrset.RRset, additional: tuple[dns.rrset.RRset, ...] = ()) -> Build:
    def build(query: dns.message.Message, _tcp: bool) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        response.answer.extend(sets)
        response.additional.extend(additional)
        return response
    return build


def duplicated(query: dns.message.Message, tcp: bool) -> dns.message.Message:
    """An answer section holding one A record twice (two rrsets, so dnspython does not merge them)."""
    response = answer_with(rr(SVC, "A", "10.244.1.2", "10.244.2.3"))(query, tcp)
    response.answer.append(rr(SVC, "A", "10.244.1.2"))
    return response


def truncated_over_udp(query: dns.message.Message, tcp: bool) -> dns.message.Message:
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    addresses = pods(60)
    if tcp:
        response.answer.append(rr(SVC, "A", *addresses))
    else:  # what fits, flagged as incomplete
        response.answer.append(rr(SVC, "A", *addresses[:20]))
        response.flags |= dns.flags.TC
    return response


def other_question(query: dns.message.Message, _tcp: bool) -> dns.message.Message:
    other = dns.message.make_query("other-service.ns-1.svc.cluster.local.", "A")
    other.id = query.id
    response = dns.message.make_response(other)
    response.answer.append(rr("other-service.ns-1.svc.cluster.local.", "A", "10.96.0.20"))
    return response


CASES: dict[str, tuple[str, str, list[str], Callable[..., object]]] = {
    "cname-then-a": (SVC, "A", [], answer_with(
        rr(SVC, "CNAME", "elsewhere.ns-1.svc.cluster.local."),
        rr("elsewhere.ns-1.svc.cluster.local.", "A", "10.244.1.2", "10.244.2.3"))),
    "a-of-another-owner": (SVC, "A", [], answer_with(
        rr(SVC, "A", "10.244.1.2", "10.244.2.3"),
        rr("my-other-service.ns-1.svc.cluster.local.", "A", "10.244.9.9"))),
    "srv-under-another-port": (SRV, "SRV", [], answer_with(
        rr(SRV, "SRV", f"0 50 80 10-244-1-2.{SVC}", f"0 50 80 10-244-2-3.{SVC}"),
        rr(f"_metrics._tcp.{SVC}", "SRV", f"0 100 9090 10-244-9-9.{SVC}"),
        additional=(rr(f"10-244-1-2.{SVC}", "A", "10.244.1.2"), rr(f"10-244-2-3.{SVC}", "A", "10.244.2.3")))),
    "duplicate-a": (SVC, "A", [], duplicated),
    "truncated-kept": (SVC, "A", ["+ignore"], truncated_over_udp),
    "truncated-retried-over-tcp": (SVC, "A", [], truncated_over_udp),
    "question-mismatch": (SVC, "A", [], other_question),
}


class Stub:
    """Answers every query with the current case's response, over UDP and TCP on 127.0.0.1."""

    def __init__(self) -> None:
        self.build: Callable[..., object] = duplicated
        stub = self

        def respond(data: bytes, tcp: bool) -> bytes:
            query = dns.message.from_wire(data)
            made = stub.build(query, tcp)
            return made if isinstance(made, bytes) else made.to_wire(max_size=512 if not tcp else 65535)

        class Udp(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                sock.sendto(respond(data, False), self.client_address)

        class Tcp(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                length = struct.unpack("!H", self.rfile.read(2))[0]
                reply = respond(self.rfile.read(length), True)
                self.wfile.write(struct.pack("!H", len(reply)) + reply)

        self.udp = socketserver.UDPServer(("127.0.0.1", 0), Udp)
        port = self.udp.server_address[1]
        self.tcp = socketserver.TCPServer(("127.0.0.1", port), Tcp)
        self.port = port
        for server in (self.udp, self.tcp):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in (self.udp, self.tcp):
            server.shutdown()
            server.server_close()


def main() -> None:
    socket.setdefaulttimeout(5)
    stub = Stub()
    try:
        for case, (name, rdtype, options, build) in CASES.items():
            stub.build = build
            argv = ["dig", "+tries=1", "+time=2", *options, f"-p{stub.port}", "@127.0.0.1", name, rdtype]
            out = subprocess.run(argv, capture_output=True, text=True).stdout
            (HERE / f"{case}.txt").write_text(out)
            print(f"{case}: {len(out.splitlines())} lines")
    finally:
        stub.close()


if __name__ == "__main__":
    main()
