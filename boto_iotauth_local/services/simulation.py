"""From a token to a decision in one call, which AWS offers only as two.

AWS answers "what may this token do?" with TestInvokeAuthorizer (run the authorizer) followed by
TestAuthorization on the policies it returned. Here both happen at once: the authorizer runs exactly as
TestInvokeAuthorizer runs it, and its policies are decided with the same engine TestAuthorization uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..arguments import mappings, strings
from ..engine import RequestContext
from ..errors import ServiceError
from ..world import World
from .authorization import AuthResult, PolicyRef, PolicySet, authorize
from .context import request_values
from .invoke_authorizer import AuthorizerRun, run_authorizer
from .principals import Principal


@dataclass(frozen=True)
class TokenSimulation:
    """The authorizer's run and, when it answered, the decision for each authInfo with its reasons."""

    run: AuthorizerRun
    results: tuple[AuthResult, ...]

    @property
    def error(self) -> ServiceError | None:
        """The error TestInvokeAuthorizer would have answered, if any."""
        return self.run.error

    @property
    def authenticated(self) -> bool:
        return self.run.response is not None and self.run.response.is_authenticated

    @property
    def decisions(self) -> list[str]:
        """One authDecision per authInfo, in order."""
        return [result.auth_decision for result in self.results]

    def __str__(self) -> str:
        lines = [f"authorizer {self.run.authorizer} ({self.run.function_arn})"]
        if self.run.error is not None:
            lines.append(f"  failed: {self.run.error}")
        elif self.run.response is not None:
            response = self.run.response
            lines.append(
                f"  isAuthenticated={response.is_authenticated} principalId={response.principal_id} "
                f"documents={len(response.policy_documents)}"
            )
            if not response.is_authenticated:
                lines.append("  the token was not authenticated: every action is denied")
        for result in self.results:
            lines.extend("  " + line for line in result.explain().splitlines())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ..render.html import simulation_html

        return simulation_html(self)


def simulate_token(
    world: World,
    authorizer_name: str,
    auth_infos: Sequence[Mapping[str, Any]],
    *,
    token: str | None = None,
    token_signature: str | None = None,
    http_context: Mapping[str, Any] | None = None,
    mqtt_context: Mapping[str, Any] | None = None,
    tls_context: Mapping[str, Any] | None = None,
    client_id: str | None = None,
) -> TokenSimulation:
    """Run the authorizer for a token and decide ``auth_infos`` under the policies it returns.

    ``auth_infos`` take TestAuthorization's shape: ``[{"actionType": "PUBLISH", "resources": [...]}]``.
    ``client_id`` defaults to the MQTT context's clientId; it feeds ``${iot:ClientId}``. A token the
    authorizer does not authenticate is denied everything. Errors of the request itself (unknown
    authorizer, bad signature) raise as TestInvokeAuthorizer would; failures of the handler are in
    ``result.error``.
    """
    infos = [
        (
            str(info.get("actionType")),
            list(strings(info.get("resources"), f"auth_infos[{index}]['resources']")),
        )
        for index, info in enumerate(mappings(auth_infos, "auth_infos"))
    ]
    run = run_authorizer(
        world,
        authorizer_name,
        token=token,
        token_signature=token_signature,
        http_context=http_context,
        mqtt_context=mqtt_context,
        tls_context=tls_context,
    )
    if run.response is None:
        return TokenSimulation(run, ())
    refs: tuple[PolicyRef, ...] = ()
    if run.response.is_authenticated:
        refs = tuple(
            PolicyRef(f"policyDocuments[{index}]", "", policy)
            for index, policy in enumerate(run.response.policies)
        )
    if client_id is None and mqtt_context is not None:
        client_id = mqtt_context.get("clientId")
    values = request_values(world, Principal("none", None), client_id, None)
    policy_set = PolicySet(Principal("none", None), None, refs, None, RequestContext(values))
    results = tuple(
        authorize(policy_set, action_type, resources, explain=True) for action_type, resources in infos
    )
    return TokenSimulation(run, results)
