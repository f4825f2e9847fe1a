"""``iotauth-local serve``: the local AWS IoT endpoint in the foreground, for SDKs in any language.

The first line on stdout is ``listening on http://HOST:PORT`` (flushed, so a parent process can read the
port ``--port 0`` picked); one line per call goes to stderr unless ``--quiet``. SIGINT and SIGTERM stop
it: requests being answered finish, then it exits 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from .inputs import UsageError, add_external_handlers_option, world_of

if TYPE_CHECKING:
    from .main import Context


def _epilog() -> str:
    from ..endpoint.operations import operation_table

    names = sorted(operation_table())
    lines, line = [], " "
    for name in names:
        if len(line) + len(name) + 1 > 100:
            lines.append(line)
            line = " "
        line += " " + name
    lines.append(line)
    return (
        "Clients reach it with AWS_ENDPOINT_URL_IOT=http://HOST:PORT or --endpoint-url. Requests may be\n"
        "signed (SigV4) or unsigned; signatures are not verified. A signed request is answered for the\n"
        "region it is signed for, an unsigned one for --region.\n\n"
        f"operations answered ({len(names)}; any other AWS IoT operation gets InvalidRequestException):\n"
        + "\n".join(lines)
    )


_EPILOG = "\0operations"


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Writes the list of operations only when help is shown: it needs the botocore model."""

    def add_text(self, text: str | None) -> None:
        super().add_text(_epilog() if text == _EPILOG else text)


def add_parser(commands: Any) -> None:
    """Register ``serve`` on the ``iotauth-local`` subcommands."""
    parser = commands.add_parser(
        "serve",
        help="a local AWS IoT endpoint (REST-JSON over HTTP) for SDKs and CLIs in any language",
        description="Serve AWS IoT's HTTP protocol from a world: TestAuthorization, TestInvokeAuthorizer "
        "and the control-plane operations the World implements.",
        epilog=_EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "--world",
        action="append",
        metavar="FILE",
        help="world file, CloudFormation/SAM template, cdk.out or terraform show -json output; repeat to "
        "combine; default: an empty world",
    )
    parser.add_argument(
        "--parameter", action="append", default=[], metavar="KEY=VALUE", help="template parameter or stand-in"
    )
    add_external_handlers_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    parser.add_argument(
        "--region", help="region of unsigned requests, and of the empty world (default: the world's region)"
    )
    parser.add_argument("--quiet", action="store_true", help="no log line per call")
    parser.set_defaults(run=run)


def run(ctx: Context, args: argparse.Namespace) -> int:
    from ..endpoint import Endpoint

    world = world_of(args) if args.world else None
    if world is not None and args.region and args.region != world.region:
        raise UsageError(f"argument --region: the world file serves {world.region}, not {args.region}")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"argument --port: {args.port} is not a port number")
    log = None if args.quiet else ctx.error
    try:
        endpoint = Endpoint(world, host=args.host, port=args.port, region=args.region, log=log)
    except ValueError as exc:
        raise UsageError(f"argument --region: {exc}") from None
    stopping = threading.Event()

    def stop(signum: int, _frame: Any) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            endpoint.start()
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
        ctx.print(f"listening on {endpoint.url}")
        ctx.out.flush()
        while not stopping.wait(0.5):
            pass
        endpoint.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if log is not None:
        ctx.error("stopped")
    sys.stdout.flush()
    return 0
