"""The policy engine: parse and compile IoT/IAM policy documents, and decide requests with reasons.

Pure Python with no botocore import, so it can be used and tested on its own.
"""

from __future__ import annotations

from .conditions import ConditionOutcome
from .context import RequestContext
from .errors import PolicyError
from .evaluate import context_reading, evaluate, evaluate_all
from .explain import ActionCheck, Decision, PatternCheck, PolicyResult, ResourceCheck, StatementResult
from .glob import Glob
from .policy import Policy, parse_policy
from .statement import ANY_RESOURCE, AnyResource

__all__ = [
    "ANY_RESOURCE",
    "ActionCheck",
    "AnyResource",
    "ConditionOutcome",
    "Decision",
    "Glob",
    "PatternCheck",
    "Policy",
    "PolicyError",
    "PolicyResult",
    "RequestContext",
    "ResourceCheck",
    "StatementResult",
    "context_reading",
    "evaluate",
    "evaluate_all",
    "parse_policy",
]
