"""aiobotocore's emitter: the same interception as botocore's, awaited, with answers made off the loop.

aiobotocore's clients emit through ``AioHierarchicalEmitter``, whose ``_emit`` is a coroutine and which
overrides botocore's, so the wrapper on ``HierarchicalEmitter._emit`` never sees their events. This
module wraps that ``_emit`` too, while :mod:`.hooks` intercepts, and asks the very same
:func:`.hooks.decide` what to do with each event: one lifecycle for every call, sync or async. Only the
answer of a ``before-send`` differs: it is computed in a worker thread (``asyncio.to_thread``), so an
in-process authorizer that takes its time (up to its 5 s limit) never blocks the event loop, and it is
handed back as the ``AioAWSResponse`` whose ``content`` aiobotocore awaits.

aiobotocore is imported only when it is installed, and only once interception starts.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
from collections.abc import Callable
from typing import Any

import wrapt
from botocore.awsrequest import AWSResponse

from . import hooks

_wrapper: Any = None


@functools.lru_cache(maxsize=1)
def emitter_class() -> Any:
    """aiobotocore's ``AioHierarchicalEmitter``, or None when aiobotocore is not installed."""
    if importlib.util.find_spec("aiobotocore") is None:
        return None
    try:
        from aiobotocore.hooks import AioHierarchicalEmitter
    except ImportError:  # a broken or incompatible install: its clients are left alone
        return None
    return AioHierarchicalEmitter


class _Body:
    """The raw body ``AioAWSResponse`` awaits ``read()`` on."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self) -> bytes:
        return self._data


def _async_response(response: AWSResponse) -> Any:
    from aiobotocore.awsrequest import AioAWSResponse

    return AioAWSResponse(response.url, response.status_code, response.headers, _Body(response.content))


async def _emit(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    if len(args) >= 2:
        decision = hooks.decide(instance, args[0], args[1])
        if isinstance(decision, hooks.Send):
            response = await asyncio.to_thread(decision.answer)
            return [(decision.responder.respond, _async_response(response))]
        if decision is not hooks.PASS:
            return decision
    return await wrapped(*args, **kwargs)


def install() -> None:
    """Wrap ``AioHierarchicalEmitter._emit`` when aiobotocore is installed. Called under hooks' lock."""
    global _wrapper
    cls = emitter_class()
    if cls is None or _wrapper is not None:
        return
    _wrapper = wrapt.FunctionWrapper(cls.__dict__["_emit"], _emit)
    cls._emit = _wrapper


def uninstall() -> None:
    """Put aiobotocore's ``_emit`` back. Called under hooks' lock."""
    global _wrapper
    cls = emitter_class()
    if _wrapper is None or cls is None:
        return
    if cls.__dict__.get("_emit") is _wrapper:
        cls._emit = _wrapper.__wrapped__
    _wrapper = None
