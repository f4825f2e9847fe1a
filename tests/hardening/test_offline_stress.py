"""A bounded storm of start/stop, nesting, re-entrancy, retries and faults: nothing leaves, nothing stays.

The same storm runs for minutes in ``benchmarks/soak.py``.
"""

from __future__ import annotations

import gc

from botocore.hooks import HierarchicalEmitter

from boto_iotauth_local.wire import hooks

from .stress import storm

ORIGINAL_EMIT = HierarchicalEmitter.__dict__["_emit"]
STORM_SECONDS = 4.0  # plus the time calls in flight take to finish; well under 20 s in all


def test_storm_of_activations_with_calls_in_flight() -> None:
    counts = storm(STORM_SECONDS)
    print(counts.report())
    assert counts.problems == []
    assert counts.network_attempts == []
    assert counts.cycles > 0 and counts.credentialed_calls > 0
    assert counts.strict_answered > 0 and counts.throttles_injected > 0
    gc.collect()
    assert hooks.active_bindings() == ()
    assert hooks.calls_in_flight() == 0
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT
