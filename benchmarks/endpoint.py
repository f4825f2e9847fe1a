"""The local endpoint against in-process answers: the reference TestAuthorization through boto3.

    .venv/bin/python benchmarks/endpoint.py

In-process is boto3 under ``activate(world)``; the endpoint is boto3 with ``endpoint_url`` over loopback
HTTP (keep-alive, unsigned), one client, then 4 threads with a client each. Best of 3 runs of 200 calls.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from workload import REGION, build_world, request

from boto_iotauth_local import activate, serve

CALLS = 200
CONFIG = Config(signature_version=UNSIGNED, retries={"max_attempts": 1})


def per_call(iot: Any, params: dict[str, Any]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(CALLS):
            iot.test_authorization(**params)
        best = min(best, (time.perf_counter() - started) / CALLS)
    return best


def threaded(url: str, params: dict[str, Any], threads: int) -> float:
    clients = [
        boto3.client("iot", region_name=REGION, endpoint_url=url, config=CONFIG) for _ in range(threads)
    ]
    for iot in clients:
        iot.test_authorization(**params)
    best = 0.0
    for _ in range(3):
        workers = [
            threading.Thread(target=lambda c=iot: [c.test_authorization(**params) for _ in range(CALLS)])
            for iot in clients
        ]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        best = max(best, threads * CALLS / (time.perf_counter() - started))
    return best


def main() -> None:
    world, principal = build_world()
    params = request(principal)
    with activate(world):
        in_process = per_call(boto3.client("iot", region_name=REGION, config=CONFIG), params)
    with serve(world) as endpoint:
        over_http = per_call(
            boto3.client("iot", region_name=REGION, endpoint_url=endpoint.url, config=CONFIG), params
        )
        rate = threaded(endpoint.url, params, 4)
    print(f"in-process boto3 call:          {in_process * 1e3:7.2f} ms")
    print(f"endpoint boto3 call (loopback): {over_http * 1e3:7.2f} ms")
    print(f"endpoint, 4 client threads:     {rate:7.0f} calls/s")


if __name__ == "__main__":
    main()
