"""Loading a 2,000-resource CloudFormation template into a world (target: at most 1 s).

The template has the shape ``cdk synth`` gives a fleet stack: 400 IoT policies whose documents use
``Fn::Sub`` with pseudo parameters and escaped policy variables, 200 certificates (``CertificatePem``
from a parameter-free literal), 400 things, 200 thing groups, 400 policy attachments and 200 thing
attachments by ``Ref`` and ``Fn::GetAtt``, and 200 topic rules (skipped, listed in one warning).
It is written as JSON and as YAML with short-form tags; each is loaded with ``World.from_file``.

    .venv/bin/python benchmarks/iac_bench.py
"""

from __future__ import annotations

import json
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import yaml

from boto_iotauth_local import World

try:
    from scale import certificate_pems
except ImportError:  # run as benchmarks.iac_bench
    from benchmarks.scale import certificate_pems

COUNTS = {"policies": 400, "certificates": 200, "things": 400, "groups": 200, "rules": 200}


def template() -> dict[str, Any]:
    resources: dict[str, Any] = {}
    pems = certificate_pems(COUNTS["certificates"])
    arn = "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}"
    for i in range(COUNTS["policies"]):
        resources[f"Policy{i}"] = {
            "Type": "AWS::IoT::Policy",
            "Properties": {
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "iot:Connect",
                         "Resource": {"Fn::Sub": f"{arn}:client/${{!iot:Connection.Thing.ThingName}}"}},
                        {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"],
                         "Resource": {"Fn::Sub": f"{arn}:topic/fleet{i}/${{!iot:ClientId}}/*"}},
                    ],
                }
            },
        }  # fmt: skip
    for i, pem in enumerate(pems):
        resources[f"Cert{i}"] = {
            "Type": "AWS::IoT::Certificate",
            "Properties": {"CertificatePem": pem, "Status": "ACTIVE"},
        }
    for i in range(COUNTS["things"]):
        resources[f"Thing{i}"] = {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": f"thing-{i:04d}"}}
    for i in range(COUNTS["groups"]):
        resources[f"Group{i}"] = {
            "Type": "AWS::IoT::ThingGroup",
            "Properties": {"ThingGroupName": f"group-{i:04d}"},
        }
    for i in range(COUNTS["policies"]):
        resources[f"PolicyAttachment{i}"] = {
            "Type": "AWS::IoT::PolicyPrincipalAttachment",
            "Properties": {"PolicyName": {"Ref": f"Policy{i}"},
                           "Principal": {"Fn::GetAtt": [f"Cert{i % COUNTS['certificates']}", "Arn"]}},
        }  # fmt: skip
    for i in range(COUNTS["certificates"]):
        resources[f"ThingAttachment{i}"] = {
            "Type": "AWS::IoT::ThingPrincipalAttachment",
            "Properties": {
                "ThingName": {"Ref": f"Thing{i}"},
                "Principal": {"Fn::GetAtt": [f"Cert{i}", "Arn"]},
            },
        }
    for i in range(COUNTS["rules"]):
        resources[f"Rule{i}"] = {
            "Type": "AWS::IoT::TopicRule",
            "Properties": {"TopicRulePayload": {"Sql": "SELECT *"}},
        }
    assert len(resources) == 2000, len(resources)
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def as_yaml(data: dict[str, Any]) -> str:
    """YAML with short-form tags, as people write CloudFormation."""

    def short(value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1 and next(iter(value)) in ("Ref", "Fn::Sub", "Fn::GetAtt"):
                key, inner = next(iter(value.items()))
                tag = {"Ref": "!Ref", "Fn::Sub": "!Sub", "Fn::GetAtt": "!GetAtt"}[key]
                return _Tagged(tag, ".".join(inner) if key == "Fn::GetAtt" else inner)
            return {k: short(v) for k, v in value.items()}
        if isinstance(value, list):
            return [short(v) for v in value]
        return value

    return yaml.dump(short(data), Dumper=_Dumper, sort_keys=False, width=200)


class _Tagged:
    def __init__(self, tag: str, value: str) -> None:
        self.tag, self.value = tag, value


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Tagged, lambda dumper, data: dumper.represent_scalar(data.tag, data.value))


def best_of(path: Path, repeats: int = 5) -> tuple[float, float]:
    """Best wall time and best CPU time of this process (the machine is shared: both are reported)."""
    times, cpu = [], []
    for _ in range(repeats):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start, start_cpu = time.perf_counter(), time.process_time()
            world = World.from_file(path)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    assert len(world.policies_for_target(world.certificate_arn("Cert0"))) == 2  # Policy0 and Policy200
    assert world.things_for_principal(world.certificate_arn("Cert0")) == (
        ("thing-0000", "NON_EXCLUSIVE_THING"),
    )
    return min(times), min(cpu)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="iac-bench-"))
    data = template()
    json_path = folder / "Fleet.template.json"
    json_path.write_text(json.dumps(data, indent=1))
    yaml_path = folder / "Fleet.yaml"
    yaml_path.write_text(as_yaml(data))
    for label, path in (("JSON (cdk synth shape)", json_path), ("YAML, short-form tags", yaml_path)):
        seconds, cpu = best_of(path)
        size = path.stat().st_size / 1e6
        verdict = "met" if seconds <= 1.0 else "MISSED"
        print(
            f"2,000-resource template, {label}, {size:.1f} MB: {seconds:.3f} s wall, {cpu:.3f} s CPU "
            f"(target <= 1 s: {verdict})"
        )


if __name__ == "__main__":
    main()
