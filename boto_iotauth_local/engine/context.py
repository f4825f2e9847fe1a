"""The request context: condition keys and policy-variable values for one request."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, str | Sequence[str]] = MappingProxyType({})


class RequestContext:
    """Context values for one request, looked up case-insensitively as IAM does for key names.

    Build it once per request and reuse it for every policy and resource: it also caches patterns
    compiled from substituted variables, which is valid exactly as long as its values do not change
    (and they cannot: the object is read-only).
    """

    __slots__ = ("__weakref__", "_names", "_scalars", "_values", "bindings", "cache")

    def __init__(self, values: Mapping[str, str | Sequence[str]] = _EMPTY) -> None:
        names: dict[str, str] = {}
        scalars: dict[str, str] = {}
        all_values: dict[str, tuple[str, ...]] = {}
        for key, raw in values.items():
            if not isinstance(key, str) or not key:
                raise TypeError(f"context keys must be non-empty strings, not {key!r}")
            folded = key.lower()
            value = _normalise(key, raw)
            if folded in all_values and all_values[folded] != value:
                raise ValueError(
                    f"context keys {names[folded]!r} and {key!r} differ only in case"
                    " but have different values"
                )
            names.setdefault(folded, key)
            all_values[folded] = value
            if isinstance(raw, str):
                scalars[folded] = raw
        self._names = names
        self._values = all_values
        self._scalars = scalars
        #: Per-request memo of patterns built from substituted variables (keyed by the policy's template),
        #: condition outcomes (keyed by the condition) and per-action reports (keyed by the plan).
        self.cache: dict[Any, Any] = {}
        #: Policy sets bound to this context for the fast path, keyed by ``(action, *policies)``.
        self.bindings: dict[Any, Any] = {}

    def prefixed(self, values: Mapping[str, str | Sequence[str]]) -> RequestContext:
        """This context with ``values`` in front: ``RequestContext({**values, **this one's})``, for keys this
        one does not have (a key it has, in any case, is a ValueError)."""
        first = RequestContext(values)
        overlap = first._values.keys() & self._values.keys()
        if overlap:
            raise ValueError(f"the context already has {', '.join(sorted(overlap))}")
        made = RequestContext.__new__(RequestContext)
        made._names = {**first._names, **self._names}
        made._values = {**first._values, **self._values}
        made._scalars = {**first._scalars, **self._scalars}
        made.cache = {}
        made.bindings = {}
        return made

    def values(self, key_lower: str) -> tuple[str, ...] | None:
        """All values of a key (already lower-cased), or None when the request does not carry it."""
        return self._values.get(key_lower)

    def read(self, keys_lower: tuple[str, ...]) -> tuple[str | tuple[str, ...] | None, ...]:
        """The values of some keys as one hashable value: a single value as a string, a list as a tuple.

        Two contexts with equal readings of the keys a policy set reads get the same decisions from it.
        """
        scalars = self._scalars
        values = self._values
        out: list[str | tuple[str, ...] | None] = []
        for key in keys_lower:
            single = scalars.get(key)
            out.append(single if single is not None else values.get(key))
        return tuple(out)

    def scalar(self, key_lower: str) -> str | None:
        """The value of a single-valued key, the only kind IAM substitutes into a policy variable."""
        return self._scalars.get(key_lower)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._values

    def __getitem__(self, key: str) -> str | tuple[str, ...]:
        folded = key.lower()
        if folded in self._scalars:
            return self._scalars[folded]
        return self._values[folded]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._values)

    def to_dict(self) -> dict[str, str | list[str]]:
        """The values as given (original key spelling), lists as lists."""
        out: dict[str, str | list[str]] = {}
        for folded, name in self._names.items():
            out[name] = self._scalars[folded] if folded in self._scalars else list(self._values[folded])
        return out

    def __repr__(self) -> str:
        return f"RequestContext({self.to_dict()!r})"


def _normalise(key: str, raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, Sequence) and not isinstance(raw, (bytes, bytearray)):
        items = tuple(raw)
        if all(isinstance(item, str) for item in items):
            return items
    raise TypeError(f"context value for {key!r} must be a string or a list of strings, not {raw!r}")
