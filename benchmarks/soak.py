"""Soak: the offline stress storm for minutes, with its counts. Run by hand, from the repository root:

    .venv/bin/python -m benchmarks.soak --minutes 5

Every call made with credentials from inside a shared handle must be answered; strict calls (no
credentials) that began under an open handle must be answered; no lookup or connection may leave the
machine; afterwards botocore's emitter must be exactly restored. Exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

from botocore.hooks import HierarchicalEmitter

from boto_iotauth_local.wire import hooks
from tests.hardening.stress import storm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="how long the storm runs (default 3)")
    parser.add_argument("--activators", type=int, default=4)
    parser.add_argument("--credentialed", type=int, default=4)
    parser.add_argument("--strict", type=int, default=6)
    args = parser.parse_args(argv)
    # Strict callers must have no credentials from anywhere, and nothing may probe instance metadata.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull
    )
    original = HierarchicalEmitter.__dict__["_emit"]
    started = time.monotonic()
    counts = storm(
        args.minutes * 60, activators=args.activators, credentialed=args.credentialed, strict=args.strict
    )
    gc.collect()
    restored = HierarchicalEmitter.__dict__["_emit"] is original and not hooks.active_bindings()
    print(f"{time.monotonic() - started:.0f} s: {counts.report()}")
    print(f"emitter restored: {restored}; calls still bound: {hooks.calls_in_flight()}")
    for problem in counts.problems[:20]:
        print("problem:", problem)
    for attempt in counts.network_attempts[:20]:
        print("network:", attempt)
    ok = restored and not counts.problems and not counts.network_attempts and hooks.calls_in_flight() == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
