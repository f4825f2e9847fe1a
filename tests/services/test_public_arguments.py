"""Sequence-of-str parameters of the public API refuse a lone str instead of reading it letter by letter.

The completeness test finds every such parameter by its annotation, so a new one must be covered here.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest

import boto_iotauth_local as api
from boto_iotauth_local import World, activate, explain_authorization, simulate_token, who_can

ARN = "arn:aws:iot:us-east-1:123456789012"
TOPIC = f"{ARN}:topic/a"
OPEN = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def _world() -> World:
    world = World()
    world.create_policy(policyName="Open", policyDocument=OPEN)
    world.create_authorizer(
        authorizerName="A",
        authorizerFunctionArn="arn:aws:lambda:us-east-1:123456789012:function:a",
        signingDisabled=True,
        handler=lambda event, context: {
            "isAuthenticated": True, "principalId": "u", "policyDocuments": [OPEN],
            "refreshAfterInSeconds": 300, "disconnectAfterInSeconds": 300,
        },
    )  # fmt: skip
    return world


#: (qualified name, parameter) -> a call passing a lone str where several strings are expected.
MISUSES: dict[tuple[str, str], Callable[[World], Any]] = {
    ("explain_authorization", "policy_names_to_add"): lambda w: explain_authorization(
        w, "PUBLISH", TOPIC, policy_names_to_add="Open"
    ),
    ("explain_authorization", "policy_names_to_skip"): lambda w: explain_authorization(
        w, "PUBLISH", TOPIC, policy_names_to_skip="Open"
    ),
    ("Activation.explain", "policy_names_to_add"): lambda w: activate(w).explain(
        "PUBLISH", TOPIC, policy_names_to_add="Open"
    ),
    ("Activation.explain", "policy_names_to_skip"): lambda w: activate(w).explain(
        "PUBLISH", TOPIC, policy_names_to_skip="Open"
    ),
    ("World.audit", "checks"): lambda w: w.audit("IOT_POLICY_OVERLY_PERMISSIVE_CHECK"),
    ("World.audit", "weak_key_lists"): lambda w: w.audit(weak_key_lists="blacklist.RSA-2048"),
    ("simulate_token", "auth_infos"): lambda w: simulate_token(
        w, "A", [{"actionType": "PUBLISH", "resources": TOPIC}]
    ),
    ("Activation.simulate_token", "auth_infos"): lambda w: activate(w).simulate_token(
        "A", {"actionType": "PUBLISH", "resources": [TOPIC]}
    ),
}

#: Parameters where one str is the documented shorthand for one item.
ONE_STR_ALLOWED = {
    ("explain_authorization", "resources"),
    ("Activation.explain", "resources"),
    ("who_can", "resources"),
    # Certificate names: a field's value, or an alternative-name kind's values, may be one str.
    ("World.create_test_certificate", "subject"),
    ("World.create_test_certificate", "issuer"),
    ("World.create_test_certificate", "subject_alternative_names"),
    ("World.create_test_certificate", "issuer_alternative_names"),
}


def _sequence_parameters() -> set[tuple[str, str]]:
    """Every parameter of an exported function or public method annotated as a sequence of str/objects."""
    found: set[tuple[str, str]] = set()

    def scan(function: Callable[..., Any], name: str) -> None:
        # Parameters only: some return types are imported for type checking alone.
        for parameter, annotation in function.__annotations__.items():
            if parameter == "return":
                continue
            hint = eval(annotation, function.__globals__) if isinstance(annotation, str) else annotation
            text = str(hint)
            if "Sequence[" in text or "Iterable[str" in text:
                found.add((name, parameter))

    for export in api.__all__:
        value = getattr(api, export)
        if inspect.isfunction(value):
            scan(value, export)
        elif inspect.isclass(value):
            for method_name, method in inspect.getmembers(value, inspect.isfunction):
                if not method_name.startswith("_"):
                    scan(method, f"{export}.{method_name}")
    return found


def test_every_sequence_parameter_is_covered() -> None:
    assert _sequence_parameters() == set(MISUSES) | ONE_STR_ALLOWED


@pytest.mark.parametrize("where", sorted(MISUSES), ids=lambda where: ".".join(where))
def test_a_lone_str_is_refused_by_name(where: tuple[str, str]) -> None:
    with pytest.raises(TypeError, match=where[1]):
        MISUSES[where](_world())


def test_the_message_says_what_to_write() -> None:
    with pytest.raises(TypeError, match=r"write policy_names_to_add=\['Open'\]"):
        explain_authorization(_world(), "PUBLISH", TOPIC, policy_names_to_add="Open")


def test_a_list_still_works_and_a_lone_resource_is_one_resource() -> None:
    world = _world()
    assert (
        explain_authorization(world, "PUBLISH", TOPIC, policy_names_to_add=["Open"]).auth_decision
        == "ALLOWED"
    )
    assert explain_authorization(world, "PUBLISH", TOPIC, policy_names_to_add=("Open",)).resources == (TOPIC,)
    assert who_can(world, "PUBLISH", TOPIC).resources == (TOPIC,)


@pytest.mark.parametrize("bad", [[1], [b"Open"], {"Open": 1}, 5])
def test_non_string_items_are_refused(bad: object) -> None:
    with pytest.raises(TypeError, match="policy_names_to_add"):
        explain_authorization(_world(), "PUBLISH", TOPIC, policy_names_to_add=bad)  # type: ignore[arg-type]


def test_auth_result_repr_is_one_short_line() -> None:
    result = explain_authorization(_world(), "PUBLISH", TOPIC, policy_names_to_add=["Open"])
    shown = repr(result)
    assert shown == f"<AuthResult PUBLISH ['{TOPIC}'] ALLOWED, allowed=['Open']>"
    assert "statement" in result.explain().lower() and "\n" not in shown


def test_certificate_name_values_may_be_one_str() -> None:
    world = World()
    made = world.create_test_certificate(
        subject={"CommonName": "s", "Organization": ["A", "B"]},
        subject_alternative_names={"DNSName": "one.example"},
    )
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(made["certificatePem"].encode())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["one.example"]
    assert [a.value for a in cert.subject] == ["s", "A", "B"]
