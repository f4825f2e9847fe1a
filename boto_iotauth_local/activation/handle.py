"""The activation handle: one object that is a context manager, a decorator and a start/stop switch."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import os
import threading
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, overload

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from ..errors import ResourceNotFoundException
from ..services import MOTO_SERVICES, SERVICES, ServiceOptions
from ..services.authorization import AuthResult
from ..services.explain import explain_authorization
from ..services.invoke_authorizer import AuthorizerRun
from ..services.simulation import TokenSimulation, simulate_token
from ..sources.moto import detect as moto
from ..wire import hooks
from ..wire.exchange import answer
from ..world import World
from .calls import Call, CallLog
from .faults import Faults, refuse

F = TypeVar("F", bound=Callable[..., Any])


class Activation:
    """Answers AWS IoT TestAuthorization and TestInvokeAuthorizer locally while started.

    Process-wide unless ``session`` (a boto3 or botocore session) or ``client`` is given. Started handles
    nest: the most recently started one that reaches a client answers it, and stopping it gives the call
    back to the one before.
    """

    def __init__(
        self,
        world: World | Iterable[World] | None = None,
        *,
        session: Any = None,
        client: Any = None,
        require_credentials: bool = False,
        reject_inactive_authorizers: bool = False,
    ) -> None:
        if session is not None and client is not None:
            raise ValueError("give session= or client=, not both")
        self._worlds: dict[str, World] = {}
        if isinstance(world, (str, bytes, os.PathLike)):
            raise TypeError(
                f"activate() takes World objects, not a path ({world!r}): load a world file with "
                f"activate(World.from_file({world!r}))"
            )
        worlds = [world] if isinstance(world, World) else list(world or ())
        for item in worlds:
            if not isinstance(item, World):
                raise TypeError(f"expected a World, got {type(item).__name__}")
            if item.region in self._worlds:
                raise ValueError(f"two worlds serve region {item.region}")
            self._worlds[item.region] = item
        self._default_account = worlds[0].account_id if worlds else World().account_id
        #: Given no world, the state is moto's while ``moto.mock_aws`` is active (moto-backed).
        self._world_given = bool(worlds)
        #: Regions of the worlds given, for the hints in errors about regions no world serves.
        self._given_regions = tuple(self._worlds)
        self._warned_no_world = False
        self._session = session
        self._client = client
        self._require_credentials = require_credentials
        self._options = ServiceOptions(
            reject_inactive_authorizers=reject_inactive_authorizers,
            on_authorizer_run=self._record_authorizer_run,
        )
        #: Every custom-authorizer run (event, captured output, answer or error), in order.
        self.authorizer_runs: list[AuthorizerRun] = []
        self._lock = threading.Lock()
        self._marker = f"boto-iotauth-local-{uuid.uuid4().hex}"
        scoped = session is not None or client is not None
        self._binding = hooks.Binding(self, self._marker if scoped else None)
        #: Guards the entries below; re-entrant because start() opens an entry through _enter().
        self._switch = threading.RLock()
        self._open = 0
        self._started: hooks.Entry | None = None
        #: Every call answered while started, in order.
        self.calls = CallLog()
        #: Injected errors and rate limits (off by default), consulted before each answer.
        self.faults = Faults()

    # -- the world -------------------------------------------------------------------------------------

    @property
    def moto_backed(self) -> bool:
        """Whether calls are answered from moto's IoT state: no world given, and moto.mock_aws active."""
        return not self._world_given and moto.moto_active()

    @property
    def world(self) -> World:
        """The world given first (or the one made for the first region called, when none was given)."""
        if self.moto_backed:
            return self.world_for("us-east-1")
        with self._lock:
            if not self._worlds:
                self._worlds["us-east-1"] = self._empty_world("us-east-1")
            return next(iter(self._worlds.values()))

    def world_for(self, region: str) -> World:
        """The world serving ``region``; an empty one when none does, as AWS has nothing there.

        Moto-backed, moto's state for ``region`` in moto's default account (``MOTO_ACCOUNT_ID`` or
        123456789012); calls made through boto3 use the account of the client's access key.
        """
        if self.moto_backed:
            return self._moto_world(moto.default_account(), region)
        found = self._worlds.get(region)
        if found is not None:
            return found
        with self._lock:
            found = self._worlds.get(region)
            if found is None:
                found = self._worlds[region] = self._empty_world(region)
            return found

    def _empty_world(self, region: str) -> World:
        # Any region a client may name: AWS has nothing in mars-1 or in another partition's region either.
        return World(account_id=self._default_account, region=region, any_region=True)

    def explain(
        self,
        action_type: str,
        resources: str | Sequence[str],
        *,
        region: str | None = None,
        principal: str | None = None,
        client_id: str | None = None,
        cognito_identity_pool_id: str | None = None,
        policy_names_to_add: Sequence[str] = (),
        policy_names_to_skip: Sequence[str] = (),
    ) -> AuthResult:
        """TestAuthorization's decision for one authInfo in this handle's world, with its reasons."""
        world = self.world_for(region) if region is not None else self.world
        return explain_authorization(
            world,
            action_type,
            resources,
            principal=principal,
            client_id=client_id,
            cognito_identity_pool_id=cognito_identity_pool_id,
            policy_names_to_add=policy_names_to_add,
            policy_names_to_skip=policy_names_to_skip,
        )

    def simulate_token(
        self,
        authorizer_name: str,
        auth_infos: Sequence[Mapping[str, Any]],
        *,
        region: str | None = None,
        token: str | None = None,
        token_signature: str | None = None,
        http_context: Mapping[str, Any] | None = None,
        mqtt_context: Mapping[str, Any] | None = None,
        tls_context: Mapping[str, Any] | None = None,
        client_id: str | None = None,
    ) -> TokenSimulation:
        """Run an authorizer for a token and decide ``auth_infos`` under the policies it returns."""
        world = self.world_for(region) if region is not None else self.world
        simulation = simulate_token(
            world,
            authorizer_name,
            auth_infos,
            token=token,
            token_signature=token_signature,
            http_context=http_context,
            mqtt_context=mqtt_context,
            tls_context=tls_context,
            client_id=client_id,
        )
        self._record_authorizer_run(simulation.run)
        return simulation

    def _record_authorizer_run(self, run: AuthorizerRun) -> None:
        with self._lock:
            self.authorizer_runs.append(run)

    # -- the Responder protocol used by the wire hooks --------------------------------------------------

    def answers(self, operation: str) -> bool:
        return operation in SERVICES or (operation in MOTO_SERVICES and self.moto_backed)

    @property
    def sign_requests(self) -> bool:
        # Moto-backed, the signature's access key names the moto account to answer from.
        return self._require_credentials or self.moto_backed

    def respond(self, operation: str, request: AWSPreparedRequest) -> AWSResponse:
        fault = self.faults.take(operation)
        if fault is None:
            exchange = answer(operation, request, self._backend_for(request))
        else:
            exchange = refuse(operation, request, fault)
        body = exchange.response.content if exchange.error is None else b""
        self.calls.record(Call.of(exchange, body))
        return exchange.response

    def _backend(self, operation: str, params: dict[str, Any], region: str) -> Mapping[str, Any]:
        world = self.world_for(region)
        hint = self._empty_world_hint(world)
        try:
            return SERVICES[operation](world, params, self._options)
        except ResourceNotFoundException as missing:
            if hint is None:
                raise
            raise type(missing)(f"{missing.message} [boto_iotauth_local: {hint}]", **missing.fields) from None

    def _empty_world_hint(self, world: World) -> str | None:
        """Why the world answering is empty, when it is one made for want of a given one; None otherwise.

        Given no world (and no moto), the first such call also warns, once per handle.
        """
        if world.region in self._given_regions or world.version != 0:
            return None  # a given world, or one filled in through handle.world / handle.world_for()
        if not self._world_given:
            if not self._warned_no_world:
                self._warned_no_world = True
                # Raised inside botocore's call, a warning turned into an error (-W error) would become a
                # retried 500: the error messages below carry the same news.
                with contextlib.suppress(Warning):
                    warnings.warn(
                        "activate() was given no world and moto.mock_aws is not active: calls are answered "
                        "from empty worlds (pass activate(world), or start moto.mock_aws first)",
                        UserWarning,
                        stacklevel=2,
                    )
            return "activate() was given no world and moto.mock_aws is not active, so the state is empty"
        served = ", ".join(self._given_regions)
        return f"no world given to activate() serves region {world.region!r}; the worlds given serve {served}"

    def _backend_for(
        self, request: AWSPreparedRequest
    ) -> Callable[[str, dict[str, Any], str], Mapping[str, Any]]:
        """The given worlds' backend; moto-backed, one reading the account the request is signed for."""
        if not self.moto_backed:
            return self._backend
        account = moto.request_account(request.headers)

        def from_moto(operation: str, params: dict[str, Any], region: str) -> Mapping[str, Any]:
            service = SERVICES.get(operation) or MOTO_SERVICES[operation]
            return service(self._moto_world(account, region), params, self._options)

        return from_moto

    @staticmethod
    def _moto_world(account_id: str, region: str) -> World:
        from ..sources.moto.world import moto_world  # reads moto's backends: only once moto is active

        return moto_world(account_id, region)

    # -- switching ------------------------------------------------------------------------------------
    #
    # One model for nesting and re-entrancy: every ``with`` block, every call of a decorated function
    # (for generators: the whole iteration) and ``start()`` opens an entry; the handle is active while any
    # of its entries is open, and the handle with the most recent open entry is the innermost. A ``with``
    # block closes its own entry (found in the current thread's or asyncio task's context), so a second
    # thread, task or nested block never switches the handle off under another. ``start()`` opens one entry
    # (starting again does nothing) and ``stop()`` closes it. Calls already under way stay with the handle
    # they began under until botocore returns (see ``wire.hooks``).

    @property
    def active(self) -> bool:
        """Whether any entry (``with``, decorated call, ``start()``) is open."""
        return self._open > 0

    def _emitters(self) -> list[Any]:
        if self._client is not None:
            return [self._client.meta.events]
        if self._session is not None:
            botocore_session = getattr(self._session, "_session", self._session)
            return [botocore_session]
        return []

    def _enter(self) -> hooks.Entry:
        with self._switch:
            if self._open == 0:
                for emitter in self._emitters():
                    hooks.mark(emitter, self._marker)
            self._open += 1
            return hooks.enter(self._binding)

    def _leave(self, entry: hooks.Entry) -> None:
        with self._switch:
            hooks.leave(entry)
            self._open -= 1
            if self._open == 0 and self._binding.marker is not None:
                hooks.unmark(self._marker)

    def start(self) -> Activation:
        """Switch on; returns the handle so that ``iot = activate(world).start()`` reads well."""
        with self._switch:
            if self._started is None:
                self._started = self._enter()
        return self

    def stop(self) -> None:
        """Close the entry ``start()`` opened; the handle stays on while a ``with`` or decorated call is open.

        Calls go back to the previous activation, or to AWS when there is none; a call already under way
        finishes with this handle.
        """
        with self._switch:
            entry, self._started = self._started, None
            if entry is not None:
                self._leave(entry)

    def __enter__(self) -> Activation:
        entry = self._enter()
        _open_blocks.set((*_open_blocks.get(), entry))
        return self

    def __exit__(self, *exc: object) -> None:
        blocks = _open_blocks.get()
        for index in range(len(blocks) - 1, -1, -1):
            if blocks[index].binding is self._binding:
                _open_blocks.set(blocks[:index] + blocks[index + 1 :])
                self._leave(blocks[index])
                return
        # Left in another context than it was entered in: close this handle's latest block entry.
        with self._switch:
            entry = self._blocks_elsewhere()
            if entry is not None:
                self._leave(entry)

    def _blocks_elsewhere(self) -> hooks.Entry | None:
        for entry in reversed(hooks.open_entries()):
            if entry.binding is self._binding and entry is not self._started:
                return entry
        return None

    def __call__(self, func: F) -> F:
        """Use the handle as a decorator: active for each call of ``func`` (for a generator or async
        generator, from its first step to its end)."""
        return _decorate(self, func)

    def __repr__(self) -> str:
        reach = (
            "client" if self._client is not None else "session" if self._session is not None else "process"
        )
        state = "active" if self.active else "inactive"
        return f"<Activation {state} {reach} regions={sorted(self._worlds)} calls={len(self.calls)}>"


#: The ``with`` entries open in this thread or asyncio task, innermost last (each task has its own copy).
_open_blocks: contextvars.ContextVar[tuple[hooks.Entry, ...]] = contextvars.ContextVar(
    "boto_iotauth_local_open_blocks", default=()
)


def _decorate(handle: Activation, func: F) -> F:
    """``func`` wrapped so that each call is one entry of ``handle``; a generator's spans its iteration."""
    if inspect.isasyncgenfunction(func):

        @functools.wraps(func)
        async def async_gen_wrapper(*args: Any, **kwargs: Any) -> Any:
            entry = handle._enter()
            try:
                inner = func(*args, **kwargs)
                try:
                    step = inner.asend(None)
                    while True:
                        try:
                            item = await step
                        except StopAsyncIteration:
                            return
                        try:
                            sent = yield item
                        except GeneratorExit:
                            raise
                        except BaseException as exc:  # thrown in by the caller: pass it on
                            step = inner.athrow(exc)
                        else:
                            step = inner.asend(sent)
                finally:
                    await inner.aclose()
            finally:
                handle._leave(entry)

        return async_gen_wrapper  # type: ignore[return-value]

    if inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
            entry = handle._enter()
            try:
                return (yield from func(*args, **kwargs))
            finally:
                handle._leave(entry)

        return gen_wrapper  # type: ignore[return-value]

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            entry = handle._enter()
            try:
                return await func(*args, **kwargs)
            finally:
                handle._leave(entry)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        entry = handle._enter()
        try:
            return func(*args, **kwargs)
        finally:
            handle._leave(entry)

    return wrapper  # type: ignore[return-value]


@overload
def activate(world: F) -> F: ...


@overload
def activate(
    world: World | Iterable[World] | None = None,
    *,
    session: Any = None,
    client: Any = None,
    require_credentials: bool = False,
    reject_inactive_authorizers: bool = False,
) -> Activation: ...


def activate(
    world: Any = None,
    *,
    session: Any = None,
    client: Any = None,
    require_credentials: bool = False,
    reject_inactive_authorizers: bool = False,
) -> Any:
    """Make an activation handle (not yet started): use it with ``with``, as a decorator, or ``.start()``.

    ``world``: the IoT state to answer from (one World, or several for several regions).
    ``session``/``client``: reach only that boto3/botocore session or that client; default: every client.
    ``require_credentials``: sign the intercepted calls as usual, so a client without credentials fails
    with NoCredentialsError as it would against AWS.
    ``reject_inactive_authorizers``: TestInvokeAuthorizer on an INACTIVE authorizer is an
    InvalidRequestException instead of being answered.

    Used bare as a decorator (``@activate``, like ``@responses.activate``), the function runs under a
    handle of its own with no world: moto's state under ``moto.mock_aws``, else empty worlds.
    """
    if callable(world) and not isinstance(world, (World, Iterable)):
        bare = Activation(
            session=session,
            client=client,
            require_credentials=require_credentials,
            reject_inactive_authorizers=reject_inactive_authorizers,
        )
        return bare(world)
    return Activation(
        world,
        session=session,
        client=client,
        require_credentials=require_credentials,
        reject_inactive_authorizers=reject_inactive_authorizers,
    )
