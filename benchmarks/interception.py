"""What interception costs a call, counted in instructions: a figure the machine's load does not move.

    .venv/bin/python benchmarks/interception.py                      # this checkout
    .venv/bin/python benchmarks/interception.py --against /tmp/old   # and another (e.g. a git archive)

Each variant runs in a process of its own under valgrind's callgrind, once with a warm-up only and once
with ``--calls`` more calls; the difference of the two totals, divided by the calls, is what one call
executes. Variants: ``floor``, a client whose ``before-send`` handler returns a canned response;
``hollow``, an activation answering with that same canned response (so the two differ only in the
interception: emitter wrapper, binding, call lifecycle); ``ours``, the real answer to a repeated request;
``new resource`` and ``new client id``, the first answers of ``run.py e2e`` (see ``workload.ReferenceCalls``).
Instructions are not time (a cache miss costs more than an add), but on a shared host the time of a few
microseconds on a call of four hundred is within the noise, and this count is not.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import contextlib, os, sys
variant, calls, tree = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if tree:  # another checkout: ahead of this venv's editable install of this one
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path.insert(0, tree)
sys.path.insert(0, {bench_dir!r})
import boto_iotauth_local
if tree:
    assert boto_iotauth_local.__file__.startswith(tree), boto_iotauth_local.__file__
from boto_iotauth_local import activate
from boto_iotauth_local.activation.handle import Activation
from boto_iotauth_local.wire.encode import encode_result
from workload import ReferenceCalls

reference = ReferenceCalls()
world, canned = reference.world, reference.canned


class Hollow(Activation):
    def respond(self, operation, request):
        return encode_result(request.url, canned)


enter, call = {{
    "floor": (contextlib.nullcontext, reference.floor),
    "hollow": (lambda: Hollow(world), reference.repeated),
    "ours": (lambda: activate(world), reference.repeated),
    "new resource": (lambda: activate(world), reference.new_resource),
    "new client id": (lambda: activate(world), reference.new_client_id),
}}[variant]
with enter():
    for _ in range(30 + calls):
        call()
"""


def instructions(variant: str, calls: int, tree: str) -> int:
    """Instructions the child executes in total (callgrind's ``Collected``)."""
    code = CHILD.format(bench_dir=str(HERE))
    env = dict(os.environ, PYTHONHASHSEED="0", AWS_EC2_METADATA_DISABLED="true")
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    done = subprocess.run(
        [*valgrind, sys.executable, "-c", code, variant, str(calls), tree],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind gave no total: {done.stderr[-400:]}")
    return int(found.group(1))


def per_call(variant: str, calls: int, tree: str) -> float:
    return (instructions(variant, calls, tree) - instructions(variant, 0, tree)) / calls


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--against", help="another checkout of the package to measure too")
    parser.add_argument("--calls", type=int, default=200, help="calls counted (default 200)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed: instructions cannot be counted here")
    trees = [("this checkout", "")]
    if args.against:
        trees.append((args.against, str(Path(args.against).resolve())))
    variants = ("floor", "hollow", "ours", "new resource", "new client id")
    print(f"{'instructions per call':<24}" + "".join(f"{variant:>15}" for variant in variants))
    for label, tree in trees:
        counts = {variant: per_call(variant, args.calls, tree) for variant in variants}
        floor = counts["floor"]
        print(f"{label[-24:]:<24}" + "".join(f"{counts[v]:>15,.0f}" for v in variants))
        print(f"{'  over the floor':<24}" + "".join(f"{counts[v] - floor:>+15,.0f}" for v in variants))
        print(
            f"{'  ratio to the floor':<24}" + "".join(f"{counts[v] / floor:>14.3f}x" for v in variants),
            flush=True,
        )


if __name__ == "__main__":
    main()
