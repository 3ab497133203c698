"""Offline builder: everything a kind cluster needs, from PyPI, the Go module proxy and Debian."""
