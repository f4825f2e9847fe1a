"""``iotauth-local``: AWS IoT TestAuthorization and TestInvokeAuthorizer from a shell, against a world file.

``test-authorization`` and ``test-invoke-authorizer`` take the AWS CLI's argument names and answer
through a real boto3 client under ``activate(world)``, so ``--output json`` prints exactly what boto3 gets
(less ``ResponseMetadata``). ``explain`` and ``who-can`` answer questions AWS has no call for.
"""

from __future__ import annotations

import argparse
import enum
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ... import __version__
from ...errors import ServiceError
from ...render import text
from ...world import World
from . import inputs, serve, sign_token, world_show
from .inputs import InputError, UsageError


class ExitCode(enum.IntEnum):
    """What the exit status says; scripts and CI can branch on it."""

    #: Answered; every authInfo ALLOWED (test-authorization, explain), authenticated
    #: (test-invoke-authorizer), or who-can ran.
    OK = 0
    #: Answered, but an authInfo was denied, or isAuthenticated is false.
    DENIED = 1
    #: The command line itself is wrong (argparse, or an argument that cannot be read).
    USAGE = 2
    #: The service's error: ResourceNotFoundException, InvalidRequestException, InvalidResponseException...
    SERVICE_ERROR = 3
    #: The world file or an input file (``file://``) cannot be read; the message names file, line, field.
    BAD_INPUT = 4


OUTPUTS = ("table", "text", "json")
ACTION_TYPES = ("CONNECT", "PUBLISH", "SUBSCRIBE", "RECEIVE")

EPILOG = """\
exit codes:
  0  answered: every authInfo ALLOWED / authenticated / who-can done
  1  answered, but something was denied (isAuthenticated false for test-invoke-authorizer;
     an unmet expectation for check)
  2  usage error
  3  the service's error (printed as: An error occurred (Code) ...: message)
  4  bad world file or input file (the message names file, line and field)
"""


def _common(world: bool = True) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    if world:
        parent.add_argument(
            "--world",
            required=True,
            action="append",
            metavar="FILE",
            help="world to answer from: a world file, a CloudFormation/SAM template, a cdk.out folder or "
            "terraform show -json output; repeat to combine (a template, then a world file)",
        )
        parent.add_argument(
            "--parameter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="template parameter, or stand-in for a value unknown offline (an ImportValue export, "
            "a Terraform value known after apply); repeatable",
        )
        parent.add_argument("--region", help="region of the call (default: the world's region)")
        inputs.add_external_handlers_option(parent)
    parent.add_argument(
        "--output",
        choices=OUTPUTS,
        default="table",
        help="table (for people, default), text (tab-separated lines) or json (for machines)",
    )
    return parent


def _authorization_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--principal",
        help="certificate ARN, thing group ARN or Cognito identity id; "
        "also a certificate's `name` from the world file",
    )
    parser.add_argument("--client-id", help="MQTT client id (resolves the thing and ${iot:ClientId})")
    parser.add_argument("--cognito-identity-pool-id", help="Cognito identity pool id")
    parser.add_argument(
        "--auth-infos",
        action="append",
        nargs="+",
        required=True,
        metavar="AUTH_INFO",
        help="JSON list or object (inline or file://path), or shorthand "
        "actionType=PUBLISH,resources=ARN[,ARN...]; repeatable",
    )
    parser.add_argument("--policy-names-to-add", nargs="+", default=[], metavar="NAME")
    parser.add_argument("--policy-names-to-skip", nargs="+", default=[], metavar="NAME")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iotauth-local",
        description="Answer AWS IoT TestAuthorization and TestInvokeAuthorizer offline, from a world file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common()
    formatter = argparse.RawDescriptionHelpFormatter

    auth = commands.add_parser(
        "test-authorization",
        parents=[common],
        help="TestAuthorization, as boto3 answers it",
        description="TestAuthorization through boto3; --output json prints the response boto3 returns.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    _authorization_arguments(auth)
    auth.set_defaults(run=test_authorization)

    invoke = commands.add_parser(
        "test-invoke-authorizer",
        parents=[common],
        help="TestInvokeAuthorizer, as boto3 answers it",
        description="TestInvokeAuthorizer through boto3. Contexts are JSON objects (inline or file://path). "
        "In --mqtt-context the password is given as text and sent as its UTF-8 bytes.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    invoke.add_argument("--authorizer-name", required=True)
    invoke.add_argument("--token")
    invoke.add_argument("--token-signature")
    invoke.add_argument("--http-context", metavar="JSON", help='{"headers": {...}, "queryString": "?a=b"}')
    invoke.add_argument(
        "--mqtt-context",
        metavar="JSON",
        help='{"username": "u", "password": "text, sent as UTF-8 bytes", "clientId": "c"}',
    )
    invoke.add_argument("--tls-context", metavar="JSON", help='{"serverName": "example.com"}')
    invoke.set_defaults(run=test_invoke_authorizer)

    explain = commands.add_parser(
        "explain",
        parents=[common],
        help="each authInfo's decision with the policies, statements and variable values behind it",
        description="Decide each authInfo as TestAuthorization would and say why.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    _authorization_arguments(explain)
    explain.set_defaults(run=explain_command)

    who = commands.add_parser(
        "who-can",
        parents=[common],
        help="every principal of the world allowed to do an action on a resource",
        description="For every certificate (and each thing attached to it, as clientId), thing group and "
        "Cognito identity with policies, decide the action with TestAuthorization's rules.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    who.add_argument("--action-type", required=True, choices=ACTION_TYPES)
    who.add_argument(
        "--resource",
        action="append",
        required=True,
        metavar="ARN",
        help="resource ARN; repeat for several (decided together, as one authInfo)",
    )
    who.add_argument("--all", action="store_true", help="list every decision, not only who is ALLOWED")
    who.set_defaults(run=who_can_command)
    serve.add_parser(commands)

    from . import check  # each further subcommand lives in its own module

    check.register(commands)
    world_show.register(commands, _common(), EPILOG)
    sign_token.register(commands, EPILOG)

    from . import audit

    audit.add_parser(commands, EPILOG)
    return parser


# -- the commands ----------------------------------------------------------------------------------------


class Context:
    """Where a command writes; tests can give their own streams."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err

    def print(self, value: str) -> None:
        self.out.write(value + "\n")

    def error(self, value: str) -> None:
        self.err.write(value + "\n")


def _client(region: str) -> Any:
    """A real boto3 IoT client that never needs credentials (the activation answers its calls)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    session = boto3.session.Session(region_name=region)
    return session.client("iot", config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))


def _call(ctx: Context, world: World, region: str | None, operation: str, params: dict[str, Any]) -> Any:
    """Call ``operation`` through boto3 under ``activate(world)``; a ClientError ends with exit code 3."""
    from botocore.exceptions import ClientError, ParamValidationError

    from ...activation.handle import activate

    client = _client(region or world.region)
    with activate(world, client=client) as handle:
        try:
            response = getattr(client, operation)(**params)
        except ParamValidationError as exc:
            raise UsageError(str(exc)) from None
        except ClientError as exc:
            ctx.error(str(exc))
            if handle.authorizer_runs and handle.authorizer_runs[-1].logs:
                ctx.error("authorizer logs:\n" + handle.authorizer_runs[-1].logs.rstrip("\n"))
            raise _Answered(ExitCode.SERVICE_ERROR) from None
    response.pop("ResponseMetadata", None)
    return response, handle


class _Answered(Exception):
    """Ends a command with an exit code once its message is printed."""

    def __init__(self, code: ExitCode) -> None:
        self.code = code


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, default=str)


def _authorization_params(args: argparse.Namespace, world: World) -> dict[str, Any]:
    flat = [value for group in args.auth_infos for value in group]
    params: dict[str, Any] = {"authInfos": inputs.auth_infos(flat)}
    principal = inputs.principal(world, args.principal, hint_unknown=True)
    optional = {
        "principal": principal,
        "clientId": args.client_id,
        "cognitoIdentityPoolId": args.cognito_identity_pool_id,
        "policyNamesToAdd": args.policy_names_to_add or None,
        "policyNamesToSkip": args.policy_names_to_skip or None,
    }
    params.update({key: value for key, value in optional.items() if value is not None})
    return params


def test_authorization(ctx: Context, args: argparse.Namespace) -> ExitCode:
    world = inputs.world_of(args)
    params = _authorization_params(args, world)
    response, _ = _call(ctx, world, args.region, "test_authorization", params)
    results = response.get("authResults", [])
    if args.output == "json":
        ctx.print(_json(response))
    elif args.output == "text":
        ctx.print(text.auth_results_tsv(results))
    else:
        ctx.print(text.auth_results_table(results))
    allowed = all(result.get("authDecision") == "ALLOWED" for result in results)
    return ExitCode.OK if allowed else ExitCode.DENIED


def test_invoke_authorizer(ctx: Context, args: argparse.Namespace) -> ExitCode:
    world = inputs.world_of(args)
    params: dict[str, Any] = {"authorizerName": args.authorizer_name}
    optional = {
        "token": args.token,
        "tokenSignature": args.token_signature,
        "httpContext": inputs.json_object(args.http_context, "--http-context"),
        "mqttContext": inputs.mqtt_context(args.mqtt_context),
        "tlsContext": inputs.json_object(args.tls_context, "--tls-context"),
    }
    params.update({key: value for key, value in optional.items() if value is not None})
    response, handle = _call(ctx, world, args.region, "test_invoke_authorizer", params)
    logs = handle.authorizer_runs[-1].logs if handle.authorizer_runs else ""
    if args.output == "json":
        ctx.print(_json(response))
    elif args.output == "text":
        ctx.print(text.invoke_authorizer_tsv(response))
    else:
        ctx.print(text.invoke_authorizer_text(response, logs))
    return ExitCode.OK if response.get("isAuthenticated") else ExitCode.DENIED


def _service_error(ctx: Context, exc: ServiceError) -> _Answered:
    ctx.error(f"An error occurred ({exc.code}): {exc.message}")
    return _Answered(ExitCode.SERVICE_ERROR)


def explain_command(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from ...activation.handle import activate

    world = inputs.world_of(args)
    params = _authorization_params(args, world)
    handle = activate(world)  # never started: only its world lookup (an empty world for other regions)
    results = []
    try:
        for info in params["authInfos"]:
            if info.get("actionType") is None or not info.get("resources"):
                raise UsageError("argument --auth-infos: each authInfo needs actionType and resources")
            results.append(
                handle.explain(
                    info["actionType"],
                    list(info["resources"]),
                    region=args.region,
                    principal=params.get("principal"),
                    client_id=params.get("clientId"),
                    cognito_identity_pool_id=params.get("cognitoIdentityPoolId"),
                    policy_names_to_add=params.get("policyNamesToAdd") or (),
                    policy_names_to_skip=params.get("policyNamesToSkip") or (),
                )
            )
    except ServiceError as exc:
        raise _service_error(ctx, exc) from None
    if args.output == "json":
        ctx.print(_json({"authResults": [_explained(result) for result in results]}))
    elif args.output == "text":
        ctx.print("\n\n".join(str(result) for result in results))
    else:
        ctx.print("\n\n".join(text.auth_result_text(result) for result in results))
    allowed = all(result.auth_decision == "ALLOWED" for result in results)
    return ExitCode.OK if allowed else ExitCode.DENIED


def _explained(result: Any) -> dict[str, Any]:
    """The service's AuthResult, plus ``explanation``: per resource, the engine's decisions in full."""
    shaped: dict[str, Any] = result.to_dict()
    shaped["explanation"] = {
        "resources": [
            {
                "resource": item.resource,
                "authDecision": item.decision,
                "policies": item.policies.to_dict(),
                "cognitoRoleGate": None if item.gate is None else item.gate.to_dict(),
            }
            for item in result.decisions
        ],
        "variables": dict(result.variables),
        "notes": [note.to_dict() for note in result.notes],
    }
    return shaped


def who_can_command(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from ...activation.handle import activate
    from ...services.who_can import who_can

    world = inputs.world_of(args)
    target = activate(world).world_for(args.region) if args.region else world
    try:
        result = who_can(target, args.action_type, args.resource)
    except ServiceError as exc:
        raise _service_error(ctx, exc) from None
    if args.output == "json":
        ctx.print(_json(result.to_dict(everyone=args.all)))
    elif args.output == "text":
        ctx.print(text.tsv(text.who_can_rows(result, everyone=args.all)))
    else:
        ctx.print(text.who_can_text(result, everyone=args.all))
    return ExitCode.OK


# -- entry point -----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``iotauth-local``; returns the exit code (see ``ExitCode``)."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")  # never probe instance metadata
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = Context(out or sys.stdout, err or sys.stderr)
    run: Callable[[Context, argparse.Namespace], ExitCode] = args.run
    try:
        return int(run(ctx, args))
    except _Answered as answered:
        return int(answered.code)
    except UsageError as exc:
        ctx.error(f"{parser.prog} {args.command}: error: {exc}")
        return int(ExitCode.USAGE)
    except InputError as exc:
        ctx.error(f"{parser.prog}: {exc}")
        return int(ExitCode.BAD_INPUT)
    except BrokenPipeError:  # `iotauth-local ... | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(ExitCode.OK)
