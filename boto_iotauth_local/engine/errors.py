"""The one error the engine raises for a document it will not evaluate."""

from __future__ import annotations


class PolicyError(ValueError):
    """A policy document the evaluator refuses; ``str(error)`` is the reason, in AWS's wording where known.

    Raised at the door (``parse_policy``) so that evaluation never has to guess what a construct means.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason
