"""Every string pattern of the IoT model is read, Java's property classes included, and means what it means
to the service."""

from __future__ import annotations

import re

import botocore.session
import pytest

from boto_iotauth_local.wire import patterns
from boto_iotauth_local.wire.patterns import matcher


def _model_patterns() -> dict[str, str]:
    model = botocore.session.get_session().get_service_model("iot")
    found = {}
    for name in model.shape_names:
        pattern = model.shape_for(name).metadata.get("pattern")
        if pattern:
            found[name] = pattern
    return found


def test_every_model_pattern_is_read_none_is_waved_through() -> None:
    unread = []
    for name, pattern in _model_patterns().items():
        try:
            re.compile(pattern, re.ASCII)
            continue
        except re.error:
            pass
        shape = patterns._REPEATED_CLASS.fullmatch(pattern)
        if shape is None or patterns._class_test(shape.group("body")) is None:
            unread.append((name, pattern))
    assert not unread


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("[\\p{Graph}\\x20]*", "a description, with spaces!", True),
        ("[\\p{Graph}\\x20]*", "tab\there", False),
        ("[\\p{Graph}\\x20]*", "caf\u00e9", False),  # Graph is ASCII in Java
        ("[^\\p{C}]+", "caf\u00e9 \u4e2d", True),
        ("[^\\p{C}]+", "", False),
        ("[^\\p{C}]+", "line\nbreak", False),  # Cc
        ("[^\\p{C}]*", "", True),
        ("[^\\p{C}]*", "zero\u200bwidth", False),  # Cf
        ("[\\p{Upper}\\p{Digit}_]+", "REASON_2", True),
        ("[\\p{Upper}\\p{Digit}_]+", "Reason", False),
        ("[^\\p{Cntrl}]*", "fine", True),
        ("[^\\p{Cntrl}]*", "bell\x07", False),
        ("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "Ünit 7: a-b/c=d+e@f", True),
        ("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "no!", False),
        ("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "", True),
        ("[a-zA-Z0-9:_-]+", "thing-1", True),
        ("[a-zA-Z0-9:_-]+", "thing 1", False),
    ],
)
def test_patterns_mean_what_they_mean_in_java(pattern: str, value: str, expected: bool) -> None:
    assert matcher(pattern)(value) is expected


def test_a_pattern_that_cannot_be_read_accepts_rather_than_refuses() -> None:
    assert matcher("[\\p{IsNotAClass}]+")("anything")
    assert matcher("(?<=java-only)\\p{L}")("anything")


def test_tag_keys_of_any_script_pass_the_endpoint_and_bad_ones_get_the_modeled_error() -> None:
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    from boto_iotauth_local import World, serve

    world = World()
    document = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}'
    )
    with serve(world) as endpoint:
        iot = boto3.client(
            "iot",
            region_name="us-east-1",
            endpoint_url=endpoint.url,
            config=Config(signature_version=UNSIGNED),
        )
        iot.create_policy(
            policyName="Tagged", policyDocument=document, tags=[{"Key": "Ünit 7", "Value": "x"}]
        )
        with pytest.raises(iot.exceptions.InvalidRequestException, match=r"tags\.1\.member\.Key"):
            iot.create_policy(
                policyName="Other", policyDocument=document, tags=[{"Key": "bad!", "Value": "x"}]
            )
    assert world.has_policy("Tagged") and not world.has_policy("Other")
