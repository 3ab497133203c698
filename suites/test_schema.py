"""The record about the DNS schema itself."""

from __future__ import annotations

import re

import pytest

SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


@pytest.mark.spec("2.2/txt", kinds=("any",))
def test_dns_version_txt_carries_the_schema_version(cluster, dns):
    name = f"dns-version.{cluster.domain}."

    answer = dns.await_answer(name, "TXT", lambda a: a.rcode == "NOERROR" and len(a.records("TXT")) == 1,
                              f"one TXT record for {name}").value

    (record,) = answer.records("TXT")
    assert len(record.text) == 1 and SEMVER.match(record.text[0]), \
        f"{record}: not one string holding a semantic version"
