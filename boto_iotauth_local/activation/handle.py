"""The activation handle: one object that is a context manager, a decorator and a start/stop switch."""

from __future__ import annotations

import functools
import inspect
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

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
        self._binding: hooks.Binding | None = None
        self._marker = f"boto-iotauth-local-{uuid.uuid4().hex}"
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
                self._worlds["us-east-1"] = World(account_id=self._default_account, region="us-east-1")
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
            return self._worlds.setdefault(region, World(account_id=self._default_account, region=region))

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
        self.calls.record(Call(exchange.operation, exchange.region, exchange.params, exchange.error, body))
        return exchange.response

    def _backend(self, operation: str, params: dict[str, Any], region: str) -> Mapping[str, Any]:
        return SERVICES[operation](self.world_for(region), params, self._options)

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

    @property
    def active(self) -> bool:
        return self._binding is not None

    def _emitters(self) -> list[Any]:
        if self._client is not None:
            return [self._client.meta.events]
        if self._session is not None:
            botocore_session = getattr(self._session, "_session", self._session)
            return [botocore_session]
        return []

    def start(self) -> Activation:
        """Switch on; returns the handle so that ``iot = activate(world).start()`` reads well."""
        with self._lock:
            if self._binding is not None:
                return self
            scoped = self._emitters()
            event, handler, unique_id = hooks.marker_event(self._marker)
            for emitter in scoped:
                emitter.register(event, handler, unique_id=unique_id)
            self._binding = hooks.Binding(self, self._marker if scoped else None)
            hooks.bind(self._binding)
        return self

    def stop(self) -> None:
        """Switch off; calls go back to the previous activation, or to AWS when there is none."""
        with self._lock:
            binding, self._binding = self._binding, None
            if binding is None:
                return
            hooks.unbind(binding)
            event, _, unique_id = hooks.marker_event(self._marker)
            for emitter in self._emitters():
                emitter.unregister(event, unique_id=unique_id)

    def __enter__(self) -> Activation:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Use the handle as a decorator: active for the duration of each call of ``func``."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def __repr__(self) -> str:
        reach = (
            "client" if self._client is not None else "session" if self._session is not None else "process"
        )
        state = "active" if self.active else "inactive"
        return f"<Activation {state} {reach} regions={sorted(self._worlds)} calls={len(self.calls)}>"


def activate(
    world: World | Iterable[World] | None = None,
    *,
    session: Any = None,
    client: Any = None,
    require_credentials: bool = False,
    reject_inactive_authorizers: bool = False,
) -> Activation:
    """Make an activation handle (not yet started): use it with ``with``, as a decorator, or ``.start()``.

    ``world``: the IoT state to answer from (one World, or several for several regions).
    ``session``/``client``: reach only that boto3/botocore session or that client; default: every client.
    ``require_credentials``: sign the intercepted calls as usual, so a client without credentials fails
    with NoCredentialsError as it would against AWS.
    ``reject_inactive_authorizers``: TestInvokeAuthorizer on an INACTIVE authorizer is an
    InvalidRequestException instead of being answered.
    """
    return Activation(
        world,
        session=session,
        client=client,
        require_credentials=require_credentials,
        reject_inactive_authorizers=reject_inactive_authorizers,
    )
