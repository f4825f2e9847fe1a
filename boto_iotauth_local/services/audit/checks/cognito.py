"""Cognito role checks: authenticated and unauthenticated identity pool roles overly permissive (Critical).

A pool's role policies (IAM) are asked about IoT actions by the engine: administrative actions on any
resource, thing reads on another device's thing, and the data-plane requests of the IoT policy check.
"""

from __future__ import annotations

from ....world import World
from ....world.cognito import CognitoIdentityPool, RolePolicy
from ...authorization import PolicyRef
from ..findings import Evidence, Finding, Resource
from ..probes import VICTIM, Probe, cognito_identity, first_allowed
from ..registry import CheckContext, CheckOutcome, CheckSpec, DataNotHeld, Runner, register
from .policies import SHADOW_AND_JOB_ACTIONS, broad_data_plane, data_plane_probes

AUTHENTICATED = "AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"
UNAUTHENTICATED = "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK"

THING_ADMIN_READ = "ALLOWS_BROAD_ACCESS_TO_IOT_THING_ADMIN_READ_ACTIONS"
NON_THING_ADMIN = "ALLOWS_ACCESS_TO_IOT_NON_THING_ADMIN_ACTIONS"
THING_ADMIN_WRITE = "ALLOWS_ACCESS_TO_IOT_THING_ADMIN_WRITE_ACTIONS"
ADMIN = "ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS"
BROAD_DATA_PLANE = "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"

#: "Manage or modify things" (both pages list these).
THING_ADMIN_WRITE_ACTIONS = (
    "iot:AddThingToThingGroup",
    "iot:AttachThingPrincipal",
    "iot:CreateThing",
    "iot:DeleteThing",
    "iot:DetachThingPrincipal",
    "iot:ListThings",
    "iot:ListThingsInThingGroup",
    "iot:RegisterThing",
    "iot:RemoveThingFromThingGroup",
    "iot:UpdateThing",
    "iot:UpdateThingGroupsForThing",
)
#: "Read thing administrative data".
THING_ADMIN_READ_ACTIONS = (
    "iot:DescribeThing",
    "iot:ListJobExecutionsForThing",
    "iot:ListThingGroupsForThing",
    "iot:ListThingPrincipals",
)
#: "Manage non-things": every other IoT API action. These stand for them (policies, certificates, CAs,
#: rules, authorizers, role aliases, logging, audits, jobs, fleet indexing); ``iot:*`` covers them all.
NON_THING_ADMIN_ACTIONS = (
    "iot:CreatePolicy",
    "iot:CreatePolicyVersion",
    "iot:AttachPolicy",
    "iot:DetachPolicy",
    "iot:DeletePolicy",
    "iot:ListPolicies",
    "iot:CreateKeysAndCertificate",
    "iot:RegisterCertificate",
    "iot:UpdateCertificate",
    "iot:DeleteCertificate",
    "iot:ListCertificates",
    "iot:RegisterCACertificate",
    "iot:UpdateCACertificate",
    "iot:CreateTopicRule",
    "iot:ReplaceTopicRule",
    "iot:CreateAuthorizer",
    "iot:CreateRoleAlias",
    "iot:SetV2LoggingOptions",
    "iot:UpdateAccountAuditConfiguration",
    "iot:CreateJob",
    "iot:SearchIndex",
    "iot:UpdateIndexingConfiguration",
)


def _refs(policies: tuple[RolePolicy, ...]) -> list[PolicyRef]:
    return [PolicyRef(p.name, p.arn, p.policy) for p in policies]


def _any(world: World, actions: tuple[str, ...], why: str) -> list[Probe]:
    who = cognito_identity(world)
    return [Probe(who, action, None, why) for action in actions]


def _on_victim(world: World, actions: tuple[str, ...], why: str) -> list[Probe]:
    who = cognito_identity(world)
    return [Probe(who, action, world.arns.thing(VICTIM), why) for action in actions]


def _judge(
    world: World, context: CheckContext, pool: CognitoIdentityPool, authenticated: bool
) -> list[tuple[str, tuple[Evidence, ...]]]:
    refs = _refs(pool.authenticated_policies if authenticated else pool.unauthenticated_policies)
    if not refs:
        return []
    now = context.now
    data_plane = broad_data_plane(refs, data_plane_probes(world, (cognito_identity(world),)), now)
    if authenticated:
        found = [
            (
                THING_ADMIN_WRITE,
                first_allowed(refs, _any(world, THING_ADMIN_WRITE_ACTIONS, "it manages things"), now),
            ),
            (
                NON_THING_ADMIN,
                first_allowed(refs, _any(world, NON_THING_ADMIN_ACTIONS, "it administers IoT"), now),
            ),
            (
                THING_ADMIN_READ,
                first_allowed(
                    refs,
                    _on_victim(world, THING_ADMIN_READ_ACTIONS, "it reads another device's thing data"),
                    now,
                ),
            ),
            (BROAD_DATA_PLANE, data_plane),
        ]
    else:
        admin = _any(
            world, THING_ADMIN_WRITE_ACTIONS + THING_ADMIN_READ_ACTIONS, "it reads or manages things"
        )
        admin += _any(world, NON_THING_ADMIN_ACTIONS, "it administers IoT")
        found = [(ADMIN, first_allowed(refs, admin, now)), (BROAD_DATA_PLANE, data_plane)]
    return [(code, evidence) for code, evidence in found if evidence]


def _run(check: str, authenticated: bool) -> Runner:
    role = "authenticated" if authenticated else "unauthenticated"

    def run(world: World, context: CheckContext) -> CheckOutcome:
        if not world.cognito_roles_known:
            raise DataNotHeld("the identity pools' role policies, which this world's source does not keep")
        findings: list[Finding] = []
        pools = world.all_cognito_pools()
        for pool in pools:
            for code, evidence in _judge(world, context, pool, authenticated):
                findings.append(
                    Finding(
                        check,
                        "CRITICAL",
                        Resource("COGNITO_IDENTITY_POOL", {"cognitoIdentityPoolId": pool.pool_id}),
                        code,
                        f"The {role} role of the identity pool is overly permissive: {evidence[0].summary}",
                        evidence,
                    )
                )
        return CheckOutcome(len(pools), tuple(findings))

    return run


register(
    CheckSpec(
        AUTHENTICATED,
        "CRITICAL",
        (THING_ADMIN_READ, NON_THING_ADMIN, THING_ADMIN_WRITE, BROAD_DATA_PLANE),
        "COGNITO_IDENTITY_POOL",
        "audit-chk-auth-cognito-role-permissive.html",
        run=_run(AUTHENTICATED, True),
    )
)
register(
    CheckSpec(
        UNAUTHENTICATED,
        "CRITICAL",
        (ADMIN, BROAD_DATA_PLANE),
        "COGNITO_IDENTITY_POOL",
        "audit-chk-unauth-cognito-role-permissive.html",
        run=_run(UNAUTHENTICATED, False),
    )
)

__all__ = ["SHADOW_AND_JOB_ACTIONS"]
