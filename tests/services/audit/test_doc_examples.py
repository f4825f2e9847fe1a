"""Every example on AWS's Device Defender audit check pages, as a test.

Each case records the page it comes from. The pages write ARNs as ``arn:aws:iot:region:account-id:...``;
here ``region`` and ``account-id`` are the world's (us-east-1, 123456789012), since a policy naming another
account grants nothing in this one. Resource fragments the pages give alone (``client/*``) are put in an
Allow statement for the action of the section they appear in. Two compliant examples are not valid JSON as
printed (a trailing comma; two resources without a comma between them); they are used with that fixed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from boto_iotauth_local import World

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"

PERMISSIVE_PAGE = (
    "https://docs.aws.amazon.com/iot-device-defender/latest/devguide/audit-chk-iot-policy-permissive.html"
)
MISCONFIGURED_PAGE = "https://docs.aws.amazon.com/iot-device-defender/latest/devguide/audit-chk-iot-misconfigured-policies.html"
AUTH_PAGE = "https://docs.aws.amazon.com/iot-device-defender/latest/devguide/audit-chk-auth-cognito-role-permissive.html"
UNAUTH_PAGE = "https://docs.aws.amazon.com/iot-device-defender/latest/devguide/audit-chk-unauth-cognito-role-permissive.html"

PERMISSIVE = "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"
MISCONFIGURED = "IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK"
AUTH = "AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"
UNAUTH = "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"
BROAD = "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"

SHADOW_JOB_ACTIONS = [
    "iot:DeleteThingShadow",
    "iot:GetThingShadow",
    "iot:UpdateThingShadow",
    "iot:DescribeJobExecution",
    "iot:GetPendingJobExecutions",
    "iot:StartNextPendingJobExecution",
    "iot:UpdateJobExecution",
]
THING_READ_ACTIONS = [
    "iot:DescribeThing",
    "iot:ListJobExecutionsForThing",
    "iot:ListThingGroupsForThing",
    "iot:ListThingPrincipals",
]


def allow(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@dataclass(frozen=True)
class Example:
    page: str
    check: str
    what: str
    policy: dict[str, Any]
    #: The reason code the check gives, or None for a compliant example.
    reason: str | None


CONNECT_COMPLIANT = document(
    allow(
        ["iot:Connect"],
        [f"{ARN}:client/${{iot:Connection.Thing.ThingName}}"],
        Condition={"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
    )
)
PUBLISH_COMPLIANT = document(
    allow(["iot:Publish"], [f"{ARN}:topic/$aws/things/${{iot:Connection.Thing.ThingName}}/shadow/*"])
)
SUBSCRIBE_COMPLIANT = document(
    allow(
        ["iot:Subscribe"],
        [
            f"{ARN}:topicfilter/$aws/things/${{iot:Connection.Thing.ThingName}}/shadow/*",
            f"{ARN}:topicfilter/$aws/things/${{iot:Connection.Thing.ThingName}}/jobs/*",
        ],
    )
)
SHADOW_JOB_COMPLIANT = document(
    allow(SHADOW_JOB_ACTIONS, [f"{ARN}:/thing/MyThing1", f"{ARN}:/thing/MyThing2"])
)


def mqtt_examples(page: str, check: str, receive_resource: str) -> list[Example]:
    """The MQTT and shadow/job sections, which the IoT policy page and both Cognito pages share."""
    return [
        Example(page, check, "Connect client/*", document(allow("iot:Connect", f"{ARN}:client/*")), BROAD),
        Example(
            page,
            check,
            "Connect client/${iot:ClientId}",
            document(allow("iot:Connect", f"{ARN}:client/${{iot:ClientId}}")),
            BROAD,
        ),
        Example(page, check, "Connect with ThingName and IsAttached", CONNECT_COMPLIANT, None),
        Example(
            page,
            check,
            "Publish $aws/things/*/shadow/update",
            document(allow("iot:Publish", f"{ARN}:topic/$aws/things/*/shadow/update")),
            BROAD,
        ),
        Example(
            page,
            check,
            "Publish $aws/things/*",
            document(allow("iot:Publish", f"{ARN}:topic/$aws/things/*")),
            BROAD,
        ),
        Example(page, check, "Publish own shadow topics", PUBLISH_COMPLIANT, None),
        Example(
            page,
            check,
            "Subscribe topicfilter/$aws/things/*",
            document(allow("iot:Subscribe", f"{ARN}:topicfilter/$aws/things/*")),
            BROAD,
        ),
        Example(
            page,
            check,
            "Subscribe topicfilter/$aws/things/# (the # variant)",
            document(allow("iot:Subscribe", f"{ARN}:topicfilter/$aws/things/#")),
            BROAD,
        ),
        Example(
            page,
            check,
            "Subscribe topic/$aws/things/+/shadow/update",
            document(allow("iot:Subscribe", f"{ARN}:topic/$aws/things/+/shadow/update")),
            BROAD,
        ),
        Example(page, check, "Subscribe own shadow and jobs topics", SUBSCRIBE_COMPLIANT, None),
        Example(
            page,
            check,
            f"Receive {receive_resource}",
            document(allow("iot:Receive", f"{ARN}:{receive_resource}")),
            None,
        ),
        Example(
            page,
            check,
            "shadow and job actions on thing/*",
            document(allow(SHADOW_JOB_ACTIONS, f"{ARN}:thing/*")),
            BROAD,
        ),
        Example(page, check, "shadow and job actions on two things", SHADOW_JOB_COMPLIANT, None),
    ]


EXAMPLES: list[Example] = [
    *mqtt_examples(PERMISSIVE_PAGE, PERMISSIVE, "topic/$aws/things/*"),
    *mqtt_examples(AUTH_PAGE, AUTH, "topicfilter/$aws/things/*"),
    Example(
        AUTH_PAGE,
        AUTH,
        "thing reads on thing/*",
        document(allow(THING_READ_ACTIONS, f"{ARN}:thing/*")),
        "ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS",
    ),
    Example(
        AUTH_PAGE,
        AUTH,
        "thing reads on one thing",
        document(allow(THING_READ_ACTIONS, f"{ARN}:/thing/MyThing")),
        None,
    ),
    Example(
        AUTH_PAGE,
        AUTH,
        "thing reads on things with a prefix",
        document(allow(THING_READ_ACTIONS, f"{ARN}:/thing/MyThing*")),
        None,
    ),
    *mqtt_examples(UNAUTH_PAGE, UNAUTH, "topicfilter/$aws/things/*"),
    Example(
        UNAUTH_PAGE,
        UNAUTH,
        "thing reads, even on one thing",
        document(allow(THING_READ_ACTIONS, f"{ARN}:/thing/MyThing")),
        "ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS",
    ),
    Example(
        MISCONFIGURED_PAGE,
        MISCONFIGURED,
        "MQTT wildcard # in a Deny statement",
        document(
            allow("iot:Subscribe", f"{ARN}:topicfilter/building/*"),
            {
                "Effect": "Deny",
                "Action": "iot:Subscribe",
                "Resource": f"{ARN}:topicfilter/building/control_room/#",
            },
            allow("iot:Receive", f"{ARN}:topic/building/*"),
        ),
        "POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT",
    ),
    Example(
        MISCONFIGURED_PAGE,
        MISCONFIGURED,
        "topic filters intended to deny, allowed through building/#",
        document(
            allow("iot:Subscribe", f"{ARN}:topicfilter/building/*"),
            {
                "Effect": "Deny",
                "Action": "iot:Subscribe",
                "Resource": f"{ARN}:topicfilter/building/control_room/*",
            },
            allow("iot:Receive", f"{ARN}:topic/building/*"),
        ),
        "TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS",
    ),
    Example(
        MISCONFIGURED_PAGE,
        MISCONFIGURED,
        "properly configured: Subscribe and Receive both denied",
        document(
            allow("iot:Subscribe", f"{ARN}:topicfilter/building/*"),
            {
                "Effect": "Deny",
                "Action": "iot:Subscribe",
                "Resource": f"{ARN}:topicfilter/building/control_room/*",
            },
            allow("iot:Receive", f"{ARN}:topic/building/*"),
            {"Effect": "Deny", "Action": "iot:Receive", "Resource": f"{ARN}:topic/building/control_room/*"},
        ),
        None,
    ),
]


def _world(example: Example) -> World:
    world = World(account_id=ACCOUNT, region=REGION)
    text = json.dumps(example.policy)
    if example.check in (AUTH, UNAUTH):
        role = "authenticatedPolicies" if example.check == AUTH else "unauthenticatedPolicies"
        world.create_cognito_identity_pool(
            f"{REGION}:0000000a-0000-4000-8000-000000000001", **{role: {"Role": text}}
        )
    else:
        world.create_policy(policyName="Example", policyDocument=text)
    return world


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.check}:{e.what}" for e in EXAMPLES])
def test_page_example(example: Example) -> None:
    report = _World = _world(example).audit([example.check])
    (run,) = report.runs
    assert run.total_resources == 1, example.page
    codes = {finding.reason_code for finding in run.findings}
    if example.reason is None:
        assert codes == set(), (example.page, [str(f.evidence[0].summary) for f in run.findings])
        assert run.status == "COMPLETED_COMPLIANT"
    else:
        assert example.reason in codes, (example.page, codes)
        assert run.status == "COMPLETED_NON_COMPLIANT"
        finding = next(f for f in run.findings if f.reason_code == example.reason)
        assert finding.evidence and finding.evidence[0].summary


def test_every_page_is_covered() -> None:
    assert {e.page for e in EXAMPLES} == {PERMISSIVE_PAGE, MISCONFIGURED_PAGE, AUTH_PAGE, UNAUTH_PAGE}
