"""One more DNS server behind kube-dns that misbehaves while CoreDNS's own replicas stay right.

The fault runs it on this machine, in its own process, on the kind network's gateway address
(which the nodes, and so the pods, reach): an EndpointSlice of its own adds that address to the
kube-dns Service's ready endpoints, so the Service sends it a share of the pods' queries and the
suite asks it directly like every other DNS server. It forwards each query to CoreDNS (through a
NodePort Service of the fault's own) and, for names under a Service in scope, changes the answer as
its `Behaviour` says: one record missing or one too many, the wrong SRV port, NXDOMAIN for NODATA
and the reverse, names matched case-sensitively; or, as a single replica going wrong, stale (the
first answer kept), flapping (every other answer NXDOMAIN) or silent for a while after each change
of the EndpointSlices in scope. Stopping it (Ctrl-C, SIGTERM) removes both objects again.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import socketserver
import struct
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from kubernetes.client import ApiException

from common.wait import WaitTimeout, wait_for
from faults import FaultError
from faults.behaviours import Behaviour, Silent, UnsetReadyIgnored
from faults.corefile import cluster_zone, original
from faults.scope import in_scope
from faults.watching import events, until_stopped
from headless_conformance.checking.kube import Kube

SLICE = "kube-dns-faults"  # the replica's endpoint, in kube-dns's EndpointSlices
# not 53: kind's nodes send the gateway's port 53 to Docker's own DNS. kube-proxy maps the Service's
# port 53 to the endpoint's port, and the suite asks each server at its own port: any free port does
# (several kind clusters share the one gateway)
UPSTREAM = "faults-upstream-dns"  # a NodePort Service to CoreDNS's own replicas, for the replica to forward to
FORWARD_TIMEOUT = 2.0

# -- serving ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Upstream:
    host: str
    udp: int
    tcp: int


def answer(wire: bytes, behaviour: Behaviour, upstream: Upstream, tcp: bool) -> bytes | None:
    """The replica's answer to one query's wire form (None: silence)."""
    try:
        query = dns.message.from_wire(wire)
    except Exception:  # noqa: BLE001 - a malformed query gets no answer, as from any server
        return None

    def forward() -> dns.message.Message:
        if tcp:
            return dns.query.tcp(query, upstream.host, port=upstream.tcp, timeout=FORWARD_TIMEOUT)
        return dns.query.udp(query, upstream.host, port=upstream.udp, timeout=FORWARD_TIMEOUT, ignore_trailing=True)

    try:
        response = behaviour.respond(query, forward)
    except Exception:  # noqa: BLE001 - CoreDNS did not answer in time: neither does the replica
        return None
    if response is None:
        return None
    limit = 65535 if tcp else max(512, query.payload if query.edns >= 0 else 512)
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        response.answer, response.additional = [], []
        response.flags |= dns.flags.TC
        return response.to_wire()


class _Udp(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Tcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(address: str, behaviour: Behaviour, upstream: Upstream) -> tuple[int, list[socketserver.BaseServer]]:
    """UDP and TCP servers on one free port of `address`, each in a thread of its own; the port."""

    class UdpHandler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            reply = answer(data, behaviour, upstream, tcp=False)
            if reply is not None:
                sock.sendto(reply, self.client_address)

    class TcpHandler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with contextlib.suppress(OSError):
                while True:
                    head = self.request.recv(2)
                    if len(head) < 2:
                        return
                    (length,) = struct.unpack("!H", head)
                    wire = b""
                    while len(wire) < length:
                        chunk = self.request.recv(length - len(wire))
                        if not chunk:
                            return
                        wire += chunk
                    reply = answer(wire, behaviour, upstream, tcp=True)
                    if reply is None:
                        return
                    self.request.sendall(struct.pack("!H", len(reply)) + reply)

    _Udp.address_family = _Tcp.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
    for _ in range(20):  # the port the system gives UDP may be taken for TCP: try another
        udp = _Udp((address, 0), UdpHandler)
        port = udp.server_address[1]
        try:
            tcp = _Tcp((address, port), TcpHandler)
        except OSError:
            udp.server_close()
            continue
        for server in (udp, tcp):
            threading.Thread(target=server.serve_forever, name=f"replica-{type(server).__name__}", daemon=True).start()
        return port, [udp, tcp]
    raise FaultError(f"no port free for both UDP and TCP on {address}")


# -- in the cluster -----------------------------------------------------------------------------
def kind_gateway(family: str) -> str:
    """This machine's address on the kind network, in `family` (IPv4, IPv6)."""
    out = subprocess.run(["docker", "network", "inspect", "kind", "--format", "{{json .IPAM.Config}}"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise FaultError(f"no kind network to serve on: {out.stderr.strip() or out.stdout.strip()}")
    for config in json.loads(out.stdout) or []:
        subnet = ipaddress.ip_network(config.get("Subnet", "0.0.0.0/32"), strict=False)
        if (subnet.version == 6) == (family == "IPv6"):
            return config.get("Gateway") or str(subnet.network_address + 1)
    raise FaultError(f"the kind network has no {family} subnet")


def _family(kube: Kube) -> str:
    service = kube.core.read_namespaced_service("kube-dns", "kube-system")
    return (service.spec.ip_families or ["IPv4"])[0]


def _upstream(kube: Kube, family: str) -> Upstream:
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": UPSTREAM, "namespace": "kube-system"},
            "spec": {"type": "NodePort", "selector": {"k8s-app": "kube-dns"}, "ipFamilies": [family],
                     "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                               {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]}}
    try:
        service = kube.core.create_namespaced_service("kube-system", body)
    except ApiException as err:
        if err.status != 409:
            raise
        service = kube.core.read_namespaced_service(UPSTREAM, "kube-system")
    ports = {p.protocol: p.node_port for p in service.spec.ports}
    node = kube.core.list_node(label_selector="node-role.kubernetes.io/control-plane").items[0]
    host = next(a.address for a in node.status.addresses if a.type == "InternalIP"
                and (":" in a.address) == (family == "IPv6"))
    return Upstream(host, ports["UDP"], ports["TCP"])


def _endpoint(address: str, port: int, family: str) -> dict:
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": SLICE, "namespace": "kube-system", "labels": {
                "kubernetes.io/service-name": "kube-dns", "endpointslice.kubernetes.io/managed-by": "faults"}},
            "addressType": family,
            "ports": [{"name": "dns", "port": port, "protocol": "UDP"},
                      {"name": "dns-tcp", "port": port, "protocol": "TCP"}],
            "endpoints": [{"addresses": [address], "conditions": {"ready": True}}]}


def remove(kube: Kube) -> None:
    for delete, name in ((kube.discovery.delete_namespaced_endpoint_slice, SLICE),
                         (kube.core.delete_namespaced_service, UPSTREAM)):
        try:
            delete(name, "kube-system")
        except ApiException as err:
            if err.status != 404:
                raise


def await_answering(upstream: Upstream, zone: str, timeout: float = 60.0) -> None:
    """Until CoreDNS answers through the NodePort (kube-proxy has programmed it)."""
    query = dns.message.make_query(f"kube-dns.kube-system.svc.{zone.rstrip('.')}.", "A")
    try:
        wait_for(lambda: dns.query.udp(query, upstream.host, port=upstream.udp, timeout=1.0), lambda _: True,
                 expected=f"CoreDNS answering at {upstream.host}:{upstream.udp} (NodePort {UPSTREAM})",
                 timeout=timeout, retry_on=(dns.exception.Timeout, OSError))
    except WaitTimeout as err:
        raise FaultError(str(err).splitlines()[0]) from None


def watch_changes(kube: Kube, everywhere: bool, changed: Callable[[], None]) -> None:
    """Call `changed` at each change of an EndpointSlice in scope, until interrupted (a resumed
    watch lists what exists again: only new versions count)."""
    versions = {(s.metadata.namespace, s.metadata.name): s.metadata.resource_version
                for s in kube.discovery.list_endpoint_slice_for_all_namespaces().items}
    for event in events(kube.discovery.list_endpoint_slice_for_all_namespaces):
        meta = event["object"].metadata
        key = (meta.namespace, meta.name)
        fresh = event["type"] == "DELETED" or versions.get(key) != meta.resource_version
        versions[key] = meta.resource_version
        if fresh and in_scope(meta.namespace, everywhere):
            changed()


def replica_fault(make: Callable[[bool], Behaviour]) -> Callable[[Kube, bool, bool], None]:
    """A fault that runs a misbehaving replica until stopped (apply), or removes its objects (restore)."""

    def act(kube: Kube, apply: bool, everywhere: bool) -> None:
        if not apply:
            remove(kube)
            return
        behaviour = make(everywhere)
        family = _family(kube)
        address = kind_gateway(family)
        servers: list[socketserver.BaseServer] = []
        try:
            upstream = _upstream(kube, family)
            await_answering(upstream, cluster_zone(original(kube)))
            port, servers = serve(address, behaviour, upstream)
            try:
                kube.discovery.create_namespaced_endpoint_slice("kube-system", _endpoint(address, port, family))
            except ApiException as err:
                if err.status != 409:
                    raise
                kube.discovery.replace_namespaced_endpoint_slice(SLICE, "kube-system", _endpoint(address, port, family))
            until_stopped(f"one more kube-dns server at {address} port {port} ({type(behaviour).__name__.lower()}) "
                          "answering")
            if isinstance(behaviour, Silent):
                watch_changes(kube, everywhere, behaviour.changed)
            elif isinstance(behaviour, UnsetReadyIgnored):
                behaviour.follow(kube)
            else:
                with contextlib.suppress(KeyboardInterrupt):
                    threading.Event().wait()
        finally:
            for server in servers:
                server.shutdown()
                server.server_close()
            remove(kube)

    return act
