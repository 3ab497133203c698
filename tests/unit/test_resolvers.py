"""The resolvers' walks as their sources define them, and what a client must get from the server's
answers: pure logic, no cluster."""

from __future__ import annotations

import pytest

from headless_conformance.checking.resolvers import (
    NO_RESPONSE,
    Reply,
    Resolver,
    asked_types,
    candidates,
    families,
    glibc_version,
    lookups_script,
    parse_ahosts,
    parse_lookups,
    parse_query_log,
    predict,
    resolvers_in,
    walk,
)

GLIBC, MUSL_OLD, MUSL_NEW = Resolver("glibc", "2.36"), Resolver("musl", "1.2.3"), Resolver("musl", "1.2.5")
SEARCH = ("ns.svc.cluster.local", "svc.cluster.local", "cluster.local")
BOTH = ("A", "AAAA")


def nxdomain() -> dict[str, Reply]:
    return {"A": Reply("NXDOMAIN"), "AAAA": Reply("NXDOMAIN")}


def found(*ips: str, truncated: int | None = None) -> dict[str, Reply]:
    return {"A": Reply("NOERROR", ips, truncated), "AAAA": Reply("NOERROR")}


def test_glibc_walks_the_search_list_first_for_a_name_with_fewer_dots_than_ndots() -> None:
    assert candidates(GLIBC, "web-0.nginx", SEARCH, 5) == [
        "web-0.nginx.ns.svc.cluster.local.", "web-0.nginx.svc.cluster.local.", "web-0.nginx.cluster.local.",
        "web-0.nginx."]


def test_glibc_asks_a_name_with_ndots_dots_as_it_is_first_then_the_search_list() -> None:
    assert candidates(GLIBC, "web-0.nginx", SEARCH, 1) == [
        "web-0.nginx.", "web-0.nginx.ns.svc.cluster.local.", "web-0.nginx.svc.cluster.local.",
        "web-0.nginx.cluster.local."]


def test_musl_never_walks_the_search_list_for_a_name_with_ndots_dots() -> None:
    assert candidates(MUSL_OLD, "web-0.nginx", SEARCH, 1) == ["web-0.nginx."]
    assert candidates(MUSL_OLD, "nginx", SEARCH, 1) == [
        "nginx.ns.svc.cluster.local.", "nginx.svc.cluster.local.", "nginx.cluster.local.", "nginx."]


@pytest.mark.parametrize("resolver", [GLIBC, MUSL_OLD])
def test_a_trailing_dot_asks_the_name_alone(resolver: Resolver) -> None:
    assert candidates(resolver, "nginx.ns.svc.cluster.local.", SEARCH, 5) == ["nginx.ns.svc.cluster.local."]
    assert walk(resolver, "nginx.ns.svc.cluster.local.", 5).startswith("absolute")


def test_the_first_candidate_with_an_address_answers() -> None:
    chain = [("web-0.nginx.ns.svc.cluster.local.", found("10.0.0.1")), ("web-0.nginx.", nxdomain())]
    prediction = predict(GLIBC, BOTH, chain, as_is="web-0.nginx.")

    assert prediction.found and prediction.addresses == {"10.0.0.1"}
    assert prediction.asked == (("web-0.nginx.ns.svc.cluster.local.", "A"), ("web-0.nginx.ns.svc.cluster.local.",
                                                                              "AAAA"))
    assert prediction.matches(True, ["10.0.0.1"]) and not prediction.matches(True, ["10.0.0.1", "10.0.0.1"])


def test_musl_stops_at_a_name_that_exists_without_an_address_where_glibc_walks_on() -> None:
    nodata = {"A": Reply("NOERROR"), "AAAA": Reply("NOERROR")}
    chain = [("nginx.ns.svc.cluster.local.", nodata), ("nginx.svc.cluster.local.", found("10.0.0.2"))]

    assert not predict(MUSL_OLD, BOTH, chain).found
    assert predict(GLIBC, BOTH, chain).addresses == {"10.0.0.2"}


def test_musl_gives_up_where_the_server_does_not_answer_and_glibc_walks_on_from_the_name_as_it_is() -> None:
    silent = {"A": Reply(NO_RESPONSE), "AAAA": Reply(NO_RESPONSE)}
    chain = [("web-0.nginx.", silent), ("web-0.nginx.ns.svc.cluster.local.", found("10.0.0.1"))]

    musl = predict(MUSL_OLD, BOTH, chain[:1], as_is="web-0.nginx.")
    glibc = predict(GLIBC, BOTH, chain, as_is="web-0.nginx.")

    assert not musl.found and "NO RESPONSE" in musl.why
    assert glibc.found and glibc.unanswered == {("web-0.nginx.", "A"), ("web-0.nginx.", "AAAA")}


def test_glibc_stops_its_search_walk_at_a_refusal_then_asks_the_name_as_it_is() -> None:
    refused = {"A": Reply("REFUSED"), "AAAA": Reply("REFUSED")}
    chain = [("nginx.ns.svc.cluster.local.", refused), ("nginx.svc.cluster.local.", found("10.0.0.3")),
             ("nginx.", nxdomain())]

    prediction = predict(GLIBC, BOTH, chain, as_is="nginx.")

    assert not prediction.found
    assert [name for name, _ in prediction.asked] == ["nginx.ns.svc.cluster.local."] * 2 + ["nginx."] * 2


def test_a_walk_that_needs_an_unknown_answer_names_it() -> None:
    assert predict(GLIBC, BOTH, [("a.", nxdomain()), ("b.", None)]) == "b."


def test_a_truncated_answer_reaches_musl_before_1_2_4_cut_and_the_others_whole_up_to_musls_limit() -> None:
    many = tuple(f"10.0.{i // 250}.{i % 250}" for i in range(100))
    chain = [("large.", {"A": Reply("NOERROR", many, 26), "AAAA": Reply("NOERROR")})]

    old, new, glibc = (predict(r, BOTH, chain) for r in (MUSL_OLD, MUSL_NEW, GLIBC))

    assert old.at_most == 26 and "no TCP fallback" in old.why
    assert new.at_most == 48 and "at most 48" in new.why
    assert glibc.at_most is None and glibc.addresses == set(many)
    assert old.matches(True, list(many[:26])) and not old.matches(True, list(many[:25]))


def test_the_questions_sent_are_the_walks_each_once_save_one_never_answered() -> None:
    chain = [("web-0.nginx.", {"A": Reply(NO_RESPONSE), "AAAA": Reply(NO_RESPONSE)}),
             ("web-0.nginx.ns.svc.cluster.local.", found("10.0.0.1"))]
    prediction = predict(GLIBC, BOTH, chain, as_is="web-0.nginx.")
    walked = list(prediction.asked)

    assert prediction.asks(walked)
    assert prediction.asks([("web-0.nginx.", "A"), *walked])  # resent: it was never answered
    assert not prediction.asks([*walked, walked[-1]])
    assert not prediction.asks(walked[:-1])


def test_glibc_asks_the_families_the_pod_has_musl_asks_both() -> None:
    assert asked_types(GLIBC, has_ipv4=False, has_ipv6=True) == ("AAAA",)
    assert asked_types(GLIBC, has_ipv4=True, has_ipv6=True) == ("A", "AAAA")
    assert asked_types(MUSL_OLD, has_ipv4=False, has_ipv6=True) == ("A", "AAAA")


def test_a_pods_families_from_proc() -> None:
    route = "Iface\tDestination\tGateway\nlo\t0000007F\t00000000\neth0\t00000000\t0101F40A\n"
    inet6 = "00000000000000000000000000000001 01 80 10 80       lo\nfe800000000000000000000000000001 02 40 20 80 eth0\n"

    assert families(route, inet6) == (True, True)
    assert families("Iface\tDestination\n", inet6.splitlines()[0]) == (False, False)


def test_the_resolvers_of_the_probe_image() -> None:
    listing = "getent-wrapper\nresolve-musl-1.2.5\nresolve-musl-1.2.3\n"

    assert resolvers_in(listing, glibc_version("ldd (Debian GLIBC 2.36-9+deb12u14) 2.36\nCopyright")) == [
        GLIBC, MUSL_OLD, MUSL_NEW]
    assert MUSL_NEW.argv("nginx") == ["resolve-musl-1.2.5", "ahosts", "nginx"] and not MUSL_OLD.tcp_fallback


def test_getent_ahosts_output_gives_one_address_per_stream_line() -> None:
    out = "10.0.0.1        STREAM web-0.nginx\n10.0.0.1        DGRAM  \n10.0.0.1        RAW    \n" \
          "fd00::1         STREAM \n"

    assert parse_ahosts(out) == ("10.0.0.1", "fd00::1")


def test_dnsmasqs_log_gives_the_questions_asked() -> None:
    log = ("Dec  5 22:49:29 dnsmasq[8]: query[A] web-0.nginx from 127.0.0.1\n"
           "Dec  5 22:49:29 dnsmasq[8]: forwarded web-0.nginx to 10.96.0.10\n"
           "Dec  5 22:49:29 dnsmasq[8]: query[AAAA] web-0.nginx.ns.svc.cluster.local from 127.0.0.1\n")

    assert parse_query_log(log) == (("web-0.nginx.", "A"), ("web-0.nginx.ns.svc.cluster.local.", "AAAA"))


@pytest.mark.parametrize("together", [False, True])
def test_a_lookup_scripts_output_is_read_back_in_order(together: bool) -> None:
    script = lookups_script([["getent", "ahosts", "a"], ["getent", "ahosts", "b"]], together=together)
    assert "\n" not in script and (") &" in script) == together
    output = ("10.0.0.1 STREAM a\n=== lookup 0 status 0 ns 1000000000 1500000000\n=== end 0\n"
              "b: Name does not resolve\n=== lookup 1 status 2 ns 2000000000 2000100000\n=== end 1\n")

    first, second = parse_lookups(output, 2)

    assert first.found and first.addresses == ("10.0.0.1",) and first.seconds == 0.5
    assert not second.found and second.status == 2 and "does not resolve" in second.error


def test_a_lookup_without_its_end_says_so() -> None:
    with pytest.raises(ValueError, match="lookup 1 of 2 has no end"):
        parse_lookups("=== lookup 0 status 0 ns 1 2\n=== end 0\n", 2)


def test_musl_may_ask_again_a_question_answered_servfail_glibc_may_not() -> None:
    chain = [("web-0.nginx.", {"A": Reply("SERVFAIL", seconds=0.01), "AAAA": Reply("SERVFAIL", seconds=0.01)})]

    musl, glibc = (predict(r, BOTH, chain, as_is="web-0.nginx.") for r in (MUSL_NEW, GLIBC))

    assert musl.asks([("web-0.nginx.", "A"), ("web-0.nginx.", "AAAA"), ("web-0.nginx.", "A")])
    assert not glibc.asks([("web-0.nginx.", "A"), ("web-0.nginx.", "AAAA"), ("web-0.nginx.", "A")])
