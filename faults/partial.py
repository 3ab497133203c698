"""Faults in what one DNS server answers, while CoreDNS's own replicas stay right: small errors in
the records (one missing, one too many, the wrong port, NXDOMAIN and NODATA swapped, names matched
case-sensitively), and a replica that is stale, flapping, or silent for a while after each change.
Each runs one kube-dns server (faults.replica) answering as its behaviour (faults.behaviours) says, until
stopped."""

from __future__ import annotations

from faults import Fault
from faults.behaviours import (
    CaseSensitive,
    Duplicated,
    Flapping,
    NoClustersetEndpointNames,
    NodataForNxdomain,
    NxdomainForNodata,
    OneExtra,
    OneMissing,
    Silent,
    Stale,
    UnsetReadyIgnored,
    Untruncated,
    WrongPort,
)
from faults.replica import replica_fault

FAULTS = [
    Fault("one-record-missing", "one kube-dns server leaves one record out of every answer of several",
          "every check of a name with several addresses, SRV records or PTR records", ("cluster",),
          replica_fault(OneMissing), until_stopped=True),
    Fault("one-record-extra", "one kube-dns server adds an address no pod has, or an SRV target no endpoint is",
          "every check of a Service's addresses or SRV records", ("cluster",),
          replica_fault(OneExtra), until_stopped=True),
    Fault("duplicate-records", "one kube-dns server repeats every record of its answers",
          "the rfc SHOULD checks of duplicate records: every record the specification asks for is there, and "
          "identical repeats are the same records (exit 8 where they fail alone); and the client check of a large "
          "answer, whose repeats no longer fit a UDP answer (the server then answers none of them, TC set)",
          ("spec", "coredns", "scenario", "cluster"),
          replica_fault(Duplicated), until_stopped=True),
    Fault("wrong-port", "one kube-dns server gives SRV records the next port number, targets unchanged",
          "every spec check of SRV records (the coredns checks of SRV targets and weights do not ask the port)",
          ("rfc", "cluster"), replica_fault(WrongPort), until_stopped=True),
    Fault("nxdomain-for-nodata", "one kube-dns server answers NXDOMAIN where a name has no record of the type asked",
          "the rfc check of NODATA (the spec checks accept either answer for no records)",
          ("spec", "coredns", "scenario", "cluster"),
          replica_fault(NxdomainForNodata), until_stopped=True),
    Fault("nodata-for-nxdomain", "one kube-dns server answers NOERROR with no records where a name does not exist",
          "the SHOULD check of NXDOMAIN with no ready endpoint (exit 8 where it fails alone), the coredns check "
          "of names under no Service, and the scenario checks that removed names go",
          ("rfc", "cluster"), replica_fault(NodataForNxdomain), until_stopped=True),
    Fault("case-sensitive", "one kube-dns server finds no name asked with a capital letter",
          "the spec checks of case-insensitive names (2.1)", ("rfc", "coredns", "scenario", "cluster"),
          replica_fault(CaseSensitive), until_stopped=True),
    Fault("unset-ready-ignored", "one kube-dns server leaves out endpoints whose ready condition is unset",
          "the spec check of endpoints whose ready condition is unset", ("rfc", "coredns", "scenario", "cluster"),
          replica_fault(UnsetReadyIgnored), until_stopped=True),
    Fault("untruncated", "one kube-dns server answers a UDP question too large for it with the records that fit and "
          "no TC flag",
          "the checks of answers larger than a UDP answer holds: the coredns check of the TC flag, the spec check "
          "of large answers asked over UDP (dig does not ask again over TCP), and the client check of large "
          "answers (glibc keeps the part)", ("rfc", "scenario", "cluster"),
          replica_fault(Untruncated), until_stopped=True),
    Fault("clusterset-endpoint-names-missing", "one kube-dns server answers NXDOMAIN for every endpoint's own name "
          "under clusterset.local (<hostname>.<clusterid>.<service>…), its Service's name and SRV records unchanged",
          "the mcs check of endpoint names", ("spec", "rfc", "coredns", "client", "scenario", "cluster"),
          replica_fault(NoClustersetEndpointNames), until_stopped=True),
    Fault("replica-stale", "one kube-dns server keeps the first answer to each question for ever",
          "every check that changes a scenario and then asks what changed", ("cluster",),
          replica_fault(Stale), until_stopped=True),
    Fault("replica-flapping", "one kube-dns server answers every other question about a Service NXDOMAIN",
          "every check that asks a name under a Service", ("cluster",),
          replica_fault(Flapping), until_stopped=True),
    Fault("replica-silent", "one kube-dns server answers nothing for 8 s after each change of an EndpointSlice",
          "every check that changes a scenario and then asks what changed; with several checks at once "
          "(-n 4) the suite's EndpointSlices change every few seconds, so it is silent for most of the run and "
          "nearly every DNS check fails", ("cluster",),
          replica_fault(Silent), until_stopped=True),
]
