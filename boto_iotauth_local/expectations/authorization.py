"""``kind: authorization`` (the default): who may do what, decided exactly as TestAuthorization decides.

An entry names a principal (a certificate by label, logical id or id, a thing, a thing group, or a
raw principal), an action or several, resources, and the expected decision. Each principal, action and
resource is decided on its own through :func:`..services.explain.explain_authorization`, the service's
own path, so "cannot subscribe to #, +/x" means each is denied, not merely one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ServiceError
from ..services.authorization import ACTIONS, AuthResult
from ..services.explain import explain_authorization
from ..world import principal_kind
from .model import Outcome, Row, register_kind

if TYPE_CHECKING:
    from ..sources.worldfile.schema import Field
    from ..world import World

KIND = "authorization"
KEYS = (
    "name",
    "certificate",
    "thing",
    "thing_group",
    "principal",
    "client_id",
    "cognito_identity_pool",
    "action",
    "resources",
    "expect",
    "policies",
)
SUBJECT_KEYS = ("certificate", "thing", "thing_group", "principal")
#: What ``expect:`` accepts, and the decisions each admits.
EXPECTED: dict[str, frozenset[str]] = {
    "allowed": frozenset({"ALLOWED"}),
    "denied": frozenset({"EXPLICIT_DENY", "IMPLICIT_DENY"}),
    "explicit_deny": frozenset({"EXPLICIT_DENY"}),
    "implicit_deny": frozenset({"IMPLICIT_DENY"}),
}
#: A resource written without ``arn:`` is this resource type of the world's account and region.
RESOURCE_TYPES = {"CONNECT": "client", "PUBLISH": "topic", "RECEIVE": "topic", "SUBSCRIBE": "topicfilter"}
MAX_RESOURCE_CHARS = 2048  # TestAuthorization's model: resources[] members are at most 2048 characters


def _one_or_more(where: Field) -> list[Field]:
    """A string, or a non-empty list of strings."""
    if where.is_string():
        return [where]
    items = where.items()
    if not items:
        raise where.error("expected a string or a non-empty list of strings")
    return items


def _action(where: Field) -> str:
    written = where.text()
    action = written.strip()
    if action.lower().startswith("iot:"):
        action = action[4:]
    action = action.upper()
    if action not in ACTIONS:
        raise where.error(f"unknown action {written!r}; actions are: {', '.join(a.lower() for a in ACTIONS)}")
    return action


def _expected(where: Field) -> str:
    written = where.text()
    expected = written.strip().lower().replace("-", "_").replace(" ", "_")
    if expected not in EXPECTED:
        raise where.error(f"unknown decision {written!r}; expected one of: {', '.join(EXPECTED)}")
    return expected


@dataclass(frozen=True)
class AuthorizationExpectation:
    """One authorization entry as written; :meth:`bind` resolves it in a world."""

    name: str
    line: int
    subject_key: str
    subject: str
    certificate: str | None
    client_id: str | None
    cognito_identity_pool: str | None
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    expected: str
    policies: tuple[str, ...] | None
    fields: dict[str, Field]

    @property
    def kind(self) -> str:
        return KIND

    def bind(self, world: World) -> BoundAuthorization:
        subjects = self._subjects(world)
        pool = self.cognito_identity_pool
        if pool is not None and world.cognito_pool(pool) is None:
            raise self.fields["cognito_identity_pool"].error(
                f"no Cognito identity pool {pool!r} in the world"
            )
        resources = []
        for written, where in zip(self.resources, _one_or_more(self.fields["resources"]), strict=True):
            for action in self.actions:
                arn = (
                    written
                    if written.startswith("arn:")
                    else world.arns.iot(f"{RESOURCE_TYPES[action]}/{written}")
                )
                if len(arn) > MAX_RESOURCE_CHARS:
                    raise where.error(
                        f"the resource ARN is {len(arn)} characters; at most {MAX_RESOURCE_CHARS}"
                    )
                resources.append((action, written, arn))
        return BoundAuthorization(self, world, tuple(subjects), tuple(resources))

    # -- principals ---------------------------------------------------------------------------------------

    def _subjects(self, world: World) -> list[Subject]:
        where = self.fields[self.subject_key]
        key, value = self.subject_key, self.subject
        if key == "principal":
            kind = principal_kind(value)
            if kind == "certificate":
                return [self._certificate(world, value, where)]
            if kind == "thinggroup":
                if world.thing_group_by_arn(value) is None:
                    raise where.error(f"no thing group {value!r} in the world")
                return [Subject(value, self.client_id, f"thing group {value}")]
            if kind == "cognito":
                return [Subject(value, self.client_id, f"Cognito identity {value}")]
            named = world.lookup(value)
            if not named:
                raise where.error(
                    f"nothing in the world is called {value!r} (certificate, thing or thing group)"
                )
            if len(named) > 1:
                kinds = " and a ".join(n.kind for n in named)
                raise where.error(
                    f"{value!r} names a {kinds}; say which with "
                    + " or ".join(f"{n.kind.replace('-', '_')}: {value}" for n in named)
                )
            key = named[0].kind.replace("-", "_")
            value = named[0].id if key != "certificate" else value
        if key == "certificate":
            return [self._certificate(world, value, where)]
        if key == "thing_group":
            group = world.thing_group(value)
            if group is None:
                raise where.error(f"no thing group {value!r} in the world")
            return [Subject(group.arn, self.client_id, f"thing group {value}")]
        # a thing: its certificate if one is named, else each principal attached to it
        if world.thing(value) is None:
            raise where.error(f"no thing {value!r} in the world")
        client_id = self.client_id if self.client_id is not None else value
        if self.certificate is not None:
            subject = self._certificate(world, self.certificate, self.fields["certificate"])
            return [Subject(subject.principal, client_id, f"thing {value} ({subject.label})")]
        attached = world.principals_of_thing(value)
        if not attached:
            raise where.error(
                f"thing {value!r} has no principal attached; TestAuthorization needs a certificate or a "
                "Cognito identity (attach one in the world, or name one with 'certificate')"
            )
        subjects = []
        for principal, _ in attached:
            if principal_kind(principal) == "certificate":
                label = f"certificate {_certificate_label(world, principal)}"
            else:
                label = f"Cognito identity {principal}"
            subjects.append(
                Subject(
                    principal,
                    client_id,
                    f"thing {value} ({label})" if len(attached) > 1 else f"thing {value}",
                )
            )
        return subjects

    def _certificate(self, world: World, value: str, where: Field) -> Subject:
        if value.startswith("arn:"):
            if principal_kind(value) != "certificate" or world.certificate_by_arn(value) is None:
                raise where.error(f"no certificate {value!r} in the world")
            return Subject(value, self.client_id, f"certificate {_certificate_label(world, value)}")
        found = [n for n in world.lookup(value) if n.kind == "certificate"]
        if not found:
            labels = ", ".join(repr(label) for label in world.certificate_labels) or "none"
            raise where.error(
                f"no certificate named {value!r} in the world (names: {labels}; or a certificate id)"
            )
        return Subject(found[0].arn, self.client_id, f"certificate {value}")


def _certificate_label(world: World, arn: str) -> str:
    certificate = world.certificate_by_arn(arn)
    if certificate is None:
        return arn
    for label, certificate_id in world.certificate_labels.items():
        if certificate_id == certificate.certificate_id:
            return label
    return certificate.certificate_id[:10] + "..."


@dataclass(frozen=True)
class Subject:
    """A principal as TestAuthorization takes it, with the client id and how to name it for people."""

    principal: str
    client_id: str | None
    label: str


@dataclass(frozen=True)
class BoundAuthorization:
    """An authorization expectation with its principals and resource ARNs resolved in a world."""

    expectation: AuthorizationExpectation
    world: World
    subjects: tuple[Subject, ...]
    #: (action type, the resource as written, its ARN)
    resources: tuple[tuple[str, str, str], ...]

    def run(self) -> Outcome:
        rows: list[Row] = []
        reasons: list[str] = []
        failed = False
        expectation = self.expectation
        for subject in self.subjects:
            for action, written, arn in self.resources:
                try:
                    result = explain_authorization(
                        self.world,
                        action,
                        arn,
                        principal=subject.principal,
                        client_id=subject.client_id,
                        cognito_identity_pool_id=expectation.cognito_identity_pool,
                    )
                except ServiceError as exc:
                    failed = True
                    met, actual = False, f"error: {exc.code}"
                    reason = f"TestAuthorization fails: {exc.code}: {exc.message}"
                else:
                    met, why = _judge(expectation, result)
                    actual = _actual(result)
                    reason = "" if met else f"{why}\n{result.explain()}"
                rows.append(
                    Row(subject.label, subject.client_id, action, written, _wanted(expectation), actual, met)
                )
                if not met:
                    reasons.append(f"{_heading(subject, action, arn)}\n{reason}")
        unmet = [row for row in rows if not row.met]
        summary = ""
        if unmet:
            first = unmet[0]
            summary = (
                f"{first.principal} {first.action.lower()} {first.resource}: "
                f"expected {first.expected}, got {first.actual}"
            )
            if len(unmet) > 1:
                summary += f" (and {len(unmet) - 1} more unmet)"
        return Outcome(expectation, not unmet, tuple(rows), "\n\n".join(reasons), summary, error=failed)


def _wanted(expectation: AuthorizationExpectation) -> str:
    wanted = expectation.expected.replace("_", " ")
    if expectation.policies is None:
        return wanted
    return f"{wanted} by {', '.join(expectation.policies) or 'no policy'}"


def _deciding(result: AuthResult) -> tuple[str, ...]:
    """The policies TestAuthorization lists for the decision it made."""
    refs = {
        "ALLOWED": result.allowed,
        "EXPLICIT_DENY": result.explicit_deny,
        "IMPLICIT_DENY": result.implicit_deny,
    }[result.auth_decision]
    return tuple(ref.name for ref in refs)


def _actual(result: AuthResult) -> str:
    policies = _deciding(result)
    return f"{result.auth_decision} by {', '.join(policies)}" if policies else result.auth_decision


def _judge(expectation: AuthorizationExpectation, result: AuthResult) -> tuple[bool, str]:
    if result.auth_decision not in EXPECTED[expectation.expected]:
        return False, f"expected {_wanted(expectation)}, got {_actual(result)}"
    if expectation.policies is not None:
        deciding = _deciding(result)
        if set(deciding) != set(expectation.policies):
            return False, (
                f"{result.auth_decision} as expected, but by {', '.join(deciding) or 'no policy'}, "
                f"not by {', '.join(expectation.policies) or 'no policy'}"
            )
    return True, ""


def _heading(subject: Subject, action: str, arn: str) -> str:
    client = f", clientId {subject.client_id}" if subject.client_id is not None else ""
    return f"{subject.label} (principal {subject.principal}{client}): {action} {arn}"


def parse(fields: dict[str, Field], entry: Field) -> AuthorizationExpectation:
    """An authorization entry, checked for shape; names are resolved later, by ``bind``."""
    given = [key for key in SUBJECT_KEYS if key in fields]
    if not given:
        raise entry.error("name the principal with one of: certificate, thing, thing_group, principal")
    if len(given) > 1 and set(given) != {"thing", "certificate"}:
        raise fields[given[1]].error(
            f"'{given[0]}' and '{given[1]}' both name the principal; give one "
            "(only 'thing' and 'certificate' go together: that certificate, with the thing's name "
            "as client id)"
        )
    for key in ("action", "resources", "expect"):
        if key not in fields:
            raise entry.error(f"missing required key {key!r}")
    subject_key = "thing" if "thing" in given else given[0]
    subject = fields[subject_key].text()
    if not subject:
        raise fields[subject_key].error("expected a name, got an empty string")
    actions = tuple(dict.fromkeys(_action(item) for item in _one_or_more(fields["action"])))
    resources = []
    for item in _one_or_more(fields["resources"]):
        text = item.text()
        if not text:
            raise item.error("expected a resource, got an empty string")
        resources.append(text)
    expected = _expected(fields["expect"])
    policies = tuple(fields["policies"].text_list()) if "policies" in fields else None
    client_id = fields["client_id"].text() if "client_id" in fields else None
    pool = fields["cognito_identity_pool"].text() if "cognito_identity_pool" in fields else None
    certificate = fields["certificate"].text() if "thing" in given and "certificate" in fields else None
    if "name" in fields:
        name = fields["name"].text().strip()
        if not name:
            raise fields["name"].error("expected a name, got an empty string")
    else:
        name = (
            f"{subject_key.replace('_', ' ')} {subject} {'/'.join(a.lower() for a in actions)} "
            f"{', '.join(resources)}: {expected.replace('_', ' ')}"
        )
    return AuthorizationExpectation(
        name,
        entry.line,
        subject_key,
        subject,
        certificate,
        client_id,
        pool,
        actions,
        tuple(resources),
        expected,
        policies,
        fields,
    )


register_kind(KIND, KEYS, parse)
