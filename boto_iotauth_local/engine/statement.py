"""A compiled statement: action and resource patterns, conditions, and the keys it depends on."""

from __future__ import annotations

import enum
import threading
import weakref
from dataclasses import dataclass
from typing import Final, Literal

from .conditions import Condition
from .context import RequestContext
from .glob import Glob
from .variables import Dialect, Template, Variable, join, parse_template

Effect = Literal["Allow", "Deny"]


class AnyResource(enum.Enum):
    """The type of ``ANY_RESOURCE``: an enum so that it is a typed, picklable singleton."""

    ANY_RESOURCE = "any resource"

    def __repr__(self) -> str:
        return "ANY_RESOURCE"


#: Request resource meaning "some resource of this action", as IAM's policy simulator reads a request for
#: ``*``: an Allow applies if some resource could match it, a Deny only if it denies every resource. A
#: plain string ``"*"`` stays a literal resource name (IoT's TestAuthorization passes resources as given).
ANY_RESOURCE: Final = AnyResource.ANY_RESOURCE
_UNRESOLVED = object()  # cache marker: a resource template with an unresolved variable


class ResourcePattern:
    """One Resource/NotResource entry: a fixed glob, or a template resolved (and cached) per request.

    Identical entries of different policies share one object (see ``resource_pattern``), so a request
    substitutes each distinct entry once, whatever the number of policies repeating it.
    """

    __slots__ = ("__weakref__", "source", "static", "template")

    def __init__(self, template: Template) -> None:
        self.source = template.source
        self.template = template
        self.static: Glob | None = None if template.variables else Glob.from_parts(template.static_parts)

    def glob(self, context: RequestContext) -> Glob | None:
        """The pattern with variables substituted (as literal text), or None when one is unresolved."""
        if self.static is not None:
            return self.static
        cache = context.cache
        found = cache.get(self)
        if found is None:
            parts = self.template.substitute(context)
            # Kept with the context (a reused policy set keeps its context): not in a process-wide cache,
            # where every new client id would leave patterns for the garbage collector to walk.
            found = _UNRESOLVED if parts is None else Glob.from_parts(parts)
            cache[self] = found
        return None if found is _UNRESOLVED else found  # type: ignore[return-value]

    def substituted(self, context: RequestContext) -> str | None:
        parts = self.template.substitute(context)
        return None if parts is None else join(parts)


_PATTERNS: weakref.WeakValueDictionary[tuple[str, Dialect, bool], ResourcePattern] = (
    weakref.WeakValueDictionary()
)
_PATTERNS_LOCK = threading.Lock()


def resource_pattern(text: str, *, dialect: Dialect, substitute: bool) -> ResourcePattern:
    """The shared compiled entry for ``text`` (raises PolicyError for a malformed variable)."""
    signature = (text, dialect, substitute)
    with _PATTERNS_LOCK:
        found = _PATTERNS.get(signature)
    if found is None:
        made = ResourcePattern(parse_template(text, dialect=dialect, substitute=substitute))
        with _PATTERNS_LOCK:
            found = _PATTERNS.setdefault(signature, made)
    return found


@dataclass(frozen=True, slots=True)
class KeyRef:
    """A context key a statement reads: as a condition key, or through a variable."""

    name: str
    folded: str
    variable: Variable | None

    def is_missing(self, context: RequestContext) -> bool:
        if self.variable is not None:
            return self.variable.resolve(context) is None
        return context.values(self.folded) is None


@dataclass(frozen=True, slots=True, eq=False)
class Statement:
    index: int
    sid: str | None
    effect: Effect
    not_action: bool
    action_sources: tuple[str, ...]
    actions: tuple[Glob, ...]  # compiled from the lower-cased patterns
    not_resource: bool
    resources: tuple[ResourcePattern, ...]
    conditions: tuple[Condition, ...]
    keys: tuple[KeyRef, ...]  # first-use order, for missing_keys
    variables: tuple[Variable, ...]  # every variable of Resource and Condition, for Decision.variables

    @property
    def action_element(self) -> str:
        return "NotAction" if self.not_action else "Action"

    @property
    def resource_element(self) -> str:
        return "NotResource" if self.not_resource else "Resource"

    def matching_action(self, action_lower: str) -> Glob | None:
        """The first pattern of Action/NotAction that matches the action, if any."""
        for glob in self.actions:
            if glob.match(action_lower):
                return glob
        return None

    def action_applies(self, action_lower: str) -> bool:
        return (self.matching_action(action_lower) is None) == self.not_action

    @property
    def needs_every_resource(self) -> bool:
        """Under ANY_RESOURCE, whether an entry counts only when it covers every resource.

        An Allow+Resource entry counts if it covers some resource, a Deny+Resource entry only if it covers
        all of them; a NotResource entry takes the opposite side, since it removes what it covers.
        """
        return (self.effect == "Deny") != self.not_resource

    def entry_matches(self, glob: Glob, resource: str | AnyResource) -> bool:
        """One resolved Resource/NotResource entry against the request resource (for explanations)."""
        if isinstance(resource, str):
            return glob.match(resource)
        return glob.universal or not self.needs_every_resource

    def resource_applies(self, resource: str | AnyResource, context: RequestContext) -> bool:
        """Resource or NotResource test; see ``RESOURCE_RULE`` for unresolved variables."""
        hit = False
        unresolved = False
        if isinstance(resource, str):
            for pattern in self.resources:
                glob = pattern.static or pattern.glob(context)
                if glob is None:
                    unresolved = True
                elif glob.match(resource):
                    hit = True
                    break
        else:
            every = self.needs_every_resource
            for pattern in self.resources:
                glob = pattern.static or pattern.glob(context)
                if glob is None:
                    unresolved = True
                elif glob.universal or not every:
                    hit = True
                    break
        if not self.not_resource:
            return hit
        if hit:
            return False
        # An unresolved NotResource entry might have excluded this resource: an Allow must not rely on it
        # (no grant), while a Deny still applies (the reading that can never produce a wrong ALLOW).
        return not (unresolved and self.effect == "Allow")

    def applies(self, resource: str | AnyResource, context: RequestContext) -> bool:
        """Resource and every condition (the action was already matched)."""
        if not self.resource_applies(resource, context):
            return False
        return all(condition.evaluate(context) for condition in self.conditions)


RESOURCE_RULE = (
    "A resource pattern with an unresolved variable matches nothing. With Resource, the statement does not "
    "apply; with NotResource, an Allow does not apply (it must not grant on a guess) and a Deny applies "
    "unless another entry matches."
)
ANY_RESOURCE_RULE = (
    "For any resource, an Allow applies if some resource could be covered: a resolved Resource entry, or a "
    "NotResource with no unresolved entry and none made of wildcards alone; a Deny applies only if it denies "
    "every resource: a Resource entry made of wildcards alone, or a NotResource whose entries are all "
    "unresolved."
)
