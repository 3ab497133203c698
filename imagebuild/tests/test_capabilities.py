"""Reading CAP_SYS_RESOURCE out of a /proc/<pid>/status capability bounding set."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagebuild.capabilities import bounding_set, lacks_sys_resource


def status(capbnd: str) -> str:
    return f"Name:\tpython3\nCapPrm:\t0000000000000000\nCapBnd:\t{capbnd}\nCapAmb:\t0000000000000000\n"


def test_bounding_set_parses_hex() -> None:
    assert bounding_set(status("000001fffeffffff")) == 0x1FFFEFFFFFF


def test_bounding_set_without_capbnd_line() -> None:
    with pytest.raises(ValueError, match="no CapBnd line"):
        bounding_set("Name:\tpython3\nCapEff:\t000001ffffffffff\n")


def test_lacks_sys_resource_when_bit_24_is_clear() -> None:
    assert lacks_sys_resource(status("000001fffeffffff")) is True


def test_has_sys_resource_when_bit_24_is_set() -> None:
    assert lacks_sys_resource(status("000001ffffffffff")) is False


def test_only_bit_24_matters() -> None:
    assert lacks_sys_resource(status("0000000001000000")) is False
    assert lacks_sys_resource(status("0000000000000000")) is True


def test_defaults_to_this_process() -> None:
    own = Path("/proc/self/status")
    if not own.exists():
        pytest.skip("no /proc/self/status")
    assert lacks_sys_resource() is lacks_sys_resource(own.read_text())
