"""Faults to inject into a cluster so that each check can be seen failing (and restored)."""
