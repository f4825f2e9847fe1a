"""Memory held after the last activation stops: five 18 MB TestAuthorization requests, traced.

    .venv/bin/python benchmarks/memory.py

Everything the call path caches is bounded in bytes while an activation is on and released when the last
one stops; the call log goes with its activation. What remains traced afterwards is what botocore loads on
first use (its parsed service model) and this script's own world.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
from workload import ARN, REGION, build_world

from boto_iotauth_local import activate


def main() -> None:
    world, principal = build_world()
    client = boto3.client("iot", region_name=REGION)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    with activate(world):
        for index in range(5):
            resources = [f"{ARN}:topic/big/{index}/{n}/" + "x" * 1800 for n in range(1000)]
            infos = [{"actionType": "PUBLISH", "resources": resources} for _ in range(10)]
            client.test_authorization(principal=principal, clientId="sensor-1", authInfos=infos)
            del resources, infos
        during = tracemalloc.get_traced_memory()[0]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    print(f"while the activation is on: {(during - base) / 1e6:,.1f} MB (call log and caches)")
    print(f"after it stops:             {(after - base) / 1e6:,.1f} MB")
    for stat in tracemalloc.take_snapshot().statistics("filename")[:3]:
        print(f"  {stat}")


if __name__ == "__main__":
    main()
