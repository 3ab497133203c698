"""The cluster works: DNS, cross-node pod networking, HTTP between pods, volumes.

These are prerequisites of every other check; when one fails, the others say little.
"""

from __future__ import annotations

import pytest

from headless_conformance.checking import names
from headless_conformance.checking.rules import SINGLE_STACK

HELLO = "Hello from Busybox!"
HTTP_SERVER = ["/bin/sh", "-c",
               "while true; do { echo -e 'HTTP/1.1 200 OK\\n\\nHello from Busybox!'; } | nc -l -p 80; done"]


@pytest.mark.spec("2.3.1/address", kinds=SINGLE_STACK)
def test_dns_answers_the_api_service_ip(cluster, workloads, dns):
    api_ip = workloads.service("kubernetes", "default").cluster_ip

    dns.await_a(names.service_fqdn("kubernetes", "default", cluster.domain), {api_ip})


@pytest.mark.cluster("pod network across nodes")
def test_pod_on_worker_reaches_pod_on_control_plane(workloads, probes):
    control_plane, workers = workloads.nodes("control-plane"), workloads.nodes("worker")
    if not workers:
        pytest.skip("single-node cluster: no worker to reach across")
    server = workloads.start_pod("server", node=control_plane[0], args=HTTP_SERVER, ready_on_port=80)
    client = workloads.start_pod("client", node=workers[0])

    result = probes.shell(client.name, f"timeout 10 wget -q -O- {names.http_url(server.ip, 80)}")

    assert (result.exit_code, result.stdout.strip()) == (0, HELLO), \
        f"{client.node} → {server.ip} on {server.node}: {result.outcome()}"


@pytest.mark.cluster("HTTP between pods")
def test_busybox_wget_gets_the_nc_server_body(workloads, probes):
    server = workloads.start_pod("server", args=HTTP_SERVER, ready_on_port=80)

    url = names.http_url(server.ip, 80)
    result = probes.wget(url)

    assert (result.exit_code, result.stdout.strip()) == (0, HELLO), f"wget {url}: {result.outcome()}"


@pytest.mark.cluster("volume provisioning")
def test_statefulset_claim_binds_and_pod_mounts_it(workloads, probes):
    workloads.apply_manifest("headless-service")
    workloads.apply_manifest("statefulset", replicas=1)
    workloads.wait_rollout("StatefulSet", "my-app-statefulset")

    claim = workloads.claim("data-my-app-statefulset-0")
    mounted = probes.shell("my-app-statefulset-0", "grep -c ' /data ' /proc/mounts && echo ok > /data/f && cat /data/f")

    assert claim.status == "Bound" and claim.volume, f"claim data-my-app-statefulset-0: {claim}"
    assert mounted.stdout.split() == ["1", "ok"], f"/data is not a writable mount: {mounted.text}"
