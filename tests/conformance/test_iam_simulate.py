"""The engine against cloud-copilot/iam-simulate's identity-policy cases (read from ../shared, never copied).

The adapter adds only what IAM itself derives from the request, outside any policy: the ``aws:`` keys of the
calling principal, the rule that identity policies alone never grant access to another account's
resource (that needs a resource policy, which IoT does not have), and whether a request resource ``*``
names "some resource" (``ANY_RESOURCE``) or, for wildcard-only actions, the literal resource ``*``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from boto_iotauth_local.engine import ANY_RESOURCE, AnyResource, RequestContext, evaluate, parse_policy

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "iam-simulate"
#: The corpus is third-party data kept beside the repository, never inside it: a plain clone lacks it.
SKIP_REASON = (
    "needs ../shared/conformance/iam-simulate (the iam-simulate test corpus, kept in the shared folder "
    f"beside the checkout and not in the repository, so a plain clone has none); looked in {CORPUS}"
)
if not CORPUS.is_dir():
    pytest.skip(SKIP_REASON, allow_module_level=True)

EXPECTED_CASES = 89
_OTHER_POLICY_KINDS = (
    "resourcePolicy",
    "resourcePolicies",
    "permissionBoundaries",
    "serviceControlPolicies",
    "resourceControlPolicies",
    "endpointPolicies",
    "sessionPolicy",
    "simulationOptions",
)
_EXCLUDED_PATHS = ("discoveryMode", "ifferentAccount", "sts/", "kms/", "endpoints/", "anonymous", "iam/")
_DECISIONS = {"Allowed": "ALLOWED", "ImplicitlyDenied": "IMPLICIT_DENY", "ExplicitlyDenied": "EXPLICIT_DENY"}

#: Actions for which IAM's service authorization reference lists no resource type ("wildcard-only"): their
#: request resource is the literal ``*``, so only a policy entry of ``*`` covers it. For every other action,
#: the corpus's request resource ``*`` means "some resource of this action", which the engine asks with
#: ``ANY_RESOURCE``. Only the wildcard-only actions that the slice uses are listed.
WILDCARD_ONLY_ACTIONS = frozenset({"s3:listallmybuckets"})


def _select() -> list[tuple[str, dict[str, Any]]]:
    """The slice described in shared/conformance/README.md."""
    chosen: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CORPUS.rglob("*.json")):
        rel = path.relative_to(CORPUS).as_posix()
        if any(part in rel for part in _EXCLUDED_PATHS):
            continue
        cases = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(cases, list):
            continue
        for case in cases:
            if not case.get("identityPolicies"):
                continue
            if any(case.get(kind) for kind in _OTHER_POLICY_KINDS):
                continue
            if case.get("expected", {}).get("response") not in _DECISIONS:
                continue
            chosen.append((rel, case))
    return chosen


CASES = _select()


def _params() -> list[Any]:
    return [pytest.param(rel, case, id=f"{rel}::{case['name']}") for rel, case in CASES]


def _principal_keys(principal: str) -> dict[str, str]:
    """The global keys IAM sets from the calling principal's ARN."""
    fields = principal.split(":", 5)
    if len(fields) != 6:
        return {}
    keys = {"aws:PrincipalArn": principal, "aws:PrincipalAccount": fields[4]}
    kind, _, path = fields[5].partition("/")
    keys["aws:PrincipalType"] = {"user": "User", "role": "AssumedRole"}.get(kind, kind)
    if kind == "user":
        keys["aws:username"] = path.rsplit("/", 1)[-1]
    return keys


def _context(request: dict[str, Any]) -> RequestContext:
    values: dict[str, Any] = _principal_keys(request.get("principal", ""))
    given = request.get("context") or {}
    folded = {key.lower() for key in given}
    values = {key: value for key, value in values.items() if key.lower() not in folded}
    values.update(given)
    return RequestContext(values)


def _decide(case: dict[str, Any], *, explain: bool) -> str:
    request = case["request"]
    policies = []
    for index, entry in enumerate(case["identityPolicies"]):
        if "policy" in entry and "Statement" not in entry:
            policies.append(
                (entry.get("name", f"identity-{index}"), parse_policy(entry["policy"], dialect="iam"))
            )
        else:
            policies.append((f"identity-{index}", parse_policy(entry, dialect="iam")))
    resource = request["resource"]
    target: str | AnyResource = resource["resource"]
    if target == "*" and request["action"].lower() not in WILDCARD_ONLY_ACTIONS:
        target = ANY_RESOURCE
    context = _context(request)
    decision = evaluate(policies, request["action"], target, context, explain=explain)
    if not explain:  # the second question on a context takes the bound fast path: it must agree
        again = evaluate(policies, request["action"], target, context)
        assert (again.decision, again.policies) == (decision.decision, decision.policies)
    result = decision.decision
    principal_account = request.get("principal", "").split(":")[4:5]
    if result == "ALLOWED" and principal_account and principal_account[0] != resource.get("accountId"):
        result = "IMPLICIT_DENY"  # identity policies alone never reach into another account
    return result


def test_selection_size() -> None:
    assert len(CASES) == EXPECTED_CASES


def test_wildcard_only_actions_cover_that_folder() -> None:
    """The adapter's list knows every action the corpus tests as wildcard-only."""
    actions = {
        case["request"]["action"].lower() for rel, case in CASES if rel.startswith("wildcardOnlyActions/")
    }
    assert actions and actions <= WILDCARD_ONLY_ACTIONS


@pytest.mark.parametrize(("rel", "case"), _params())
def test_case(rel: str, case: dict[str, Any]) -> None:
    expected = _DECISIONS[case["expected"]["response"]]
    assert _decide(case, explain=False) == expected
    assert _decide(case, explain=True) == expected
