"""Which operation an HTTP request is: its method and path matched against the model's ``requestUri``.

A REST-JSON service is addressed by method and path alone. Every operation of the botocore IoT model is
a route, so the local endpoint recognises every call an SDK can make, whether or not it answers it. When
several templates match one path, the one with the most literal text wins (``/thing-groups/
addThingToThingGroup`` before ``/thing-groups/{thingGroupName}``), as a literal segment is what the
service itself dispatches on first.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

from .decode import uri_pattern
from .model import iot_model

_LABEL = re.compile(r"\{[^}]+\}")


def _specificity(request_uri: str) -> tuple[int, int]:
    path = request_uri.split("?", 1)[0]
    literal = len(_LABEL.sub("", path))
    greedy = path.count("+}")
    return (-literal, greedy)


@functools.lru_cache(maxsize=1)
def _routes() -> dict[str, tuple[tuple[re.Pattern[str], str], ...]]:
    """Per HTTP method: (path pattern, operation name), most specific first."""
    model = iot_model()
    by_method: dict[str, list[tuple[tuple[int, int], re.Pattern[str], str]]] = {}
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"]
        by_method.setdefault(http["method"].upper(), []).append((_specificity(uri), uri_pattern(uri), name))
    return {
        method: tuple((pattern, name) for _, pattern, name in sorted(entries, key=lambda e: (e[0], e[2])))
        for method, entries in by_method.items()
    }


def route(method: str, url: str) -> str | None:
    """The operation ``method url`` calls, or None when no operation of the model has that route."""
    path = urlsplit(url).path or "/"
    for pattern, name in _routes().get(method.upper(), ()):
        if pattern.fullmatch(path):
            return name
    return None


def known_path(url: str) -> bool:
    """Whether any operation, with any method, has this path (for a 405-style hint)."""
    path = urlsplit(url).path or "/"
    return any(pattern.fullmatch(path) for routes in _routes().values() for pattern, _ in routes)
