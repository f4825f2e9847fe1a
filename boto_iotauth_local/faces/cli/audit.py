"""``iotauth-local audit``: Device Defender's audit checks over a world file, for people and for CI.

Exit 0 when no finding is at or above ``--fail-on`` (default LOW: any finding), 1 when one is, and the
usual 2 (usage), 3 (service error, such as an unknown check name) and 4 (bad world file or weak-key list).
"""

from __future__ import annotations

import argparse
import datetime
import json
from typing import Any

from ...errors import ServiceError
from ...render import audit as render
from ...render import text
from ...services.audit import CHECKS, SEVERITIES, AuditReport, audit, default_checks
from ...world.weak_keys import WeakKeyListError
from . import inputs
from .inputs import InputError, UsageError
from .main import Context, ExitCode, _service_error

AUDIT_OUTPUTS = ("table", "json", "junit")


def add_parser(commands: Any, epilog: str) -> None:
    """Register the ``audit`` subcommand on the main parser's subcommands."""
    parser = commands.add_parser(
        "audit",
        help="Device Defender audit checks over the world (policies, Cognito roles, certificates)",
        description="Run AWS IoT Device Defender's audit checks offline, with AWS's reason codes and "
        "severities, and the evidence behind each finding. Rules: docs/audit-checks.md.",
        epilog=epilog + "  (audit: 1 means a finding at or above --fail-on)\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--world",
        required=True,
        action="append",
        metavar="FILE",
        help="world to audit: a world file, a CloudFormation/SAM template, a cdk.out folder or terraform "
        "show -json output; repeat to combine",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="template parameter, or stand-in for a value unknown offline; repeatable",
    )
    inputs.add_external_handlers_option(parser)
    parser.add_argument("--region", help="region to audit (default: the world's region)")
    parser.add_argument(
        "--checks",
        nargs="+",
        metavar="CHECK",
        help="audit check names (default: those AWS enables by default that run offline; "
        "'all': every check that runs offline)",
    )
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="LOW",
        help="exit 1 when a finding is this severe or more (default LOW: any finding)",
    )
    parser.add_argument(
        "--output",
        choices=AUDIT_OUTPUTS,
        default="table",
        help="table (for people, default), json (for machines) or junit (XML, one test case per check)",
    )
    parser.add_argument("--at", metavar="TIME", help="audit as of this ISO 8601 time (default: now)")
    parser.add_argument("--expiration-threshold-days", type=int, metavar="DAYS", help="default 30")
    parser.add_argument("--age-threshold-days", type=int, metavar="DAYS", help="default 365")
    parser.add_argument(
        "--weak-key-list",
        action="append",
        default=[],
        metavar="FILE",
        help="a list of CVE-2008-0166 keys named blacklist.RSA-<bits> (openssl-blacklist format) for the "
        "key-quality checks, besides /usr/share/openssl-blacklist/; repeatable",
    )
    parser.set_defaults(run=audit_command)


def _checks(values: list[str] | None) -> list[str]:
    if not values:
        return default_checks()
    if values == ["all"]:
        return [name for name, spec in CHECKS.items() if spec.run is not None]
    return values


def _moment(value: str | None) -> datetime.datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        message = f"--at must be an ISO 8601 time such as 2027-01-01T00:00:00Z, not {value!r}"
        raise UsageError(message) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.timezone.utc)


def _configurations(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    if args.expiration_threshold_days is not None:
        for name in ("DEVICE_CERTIFICATE_EXPIRING_CHECK", "CA_CERTIFICATE_EXPIRING_CHECK"):
            found[name] = {"CERT_EXPIRATION_THRESHOLD_IN_DAYS": str(args.expiration_threshold_days)}
    if args.age_threshold_days is not None:
        found["DEVICE_CERTIFICATE_AGE_CHECK"] = {"CERT_AGE_THRESHOLD_IN_DAYS": str(args.age_threshold_days)}
    return found


def _table(report: AuditReport) -> str:
    parts = [render.checks_table(report)]
    if report.findings:
        parts += ["", render.findings_table(report)]
        for finding in report.findings:
            parts += ["", render.finding_text(finding, explanations=False)]
    for line in render.notes_text(report):
        parts += ["", f"note: {line}"]
    return "\n".join(parts)


def audit_command(ctx: Context, args: argparse.Namespace) -> ExitCode:
    from ...activation.handle import activate

    world = inputs.world_of(args)
    target = activate(world).world_for(args.region) if args.region else world
    try:
        checks, configurations = _checks(args.checks), _configurations(args)
        report = audit(
            target, checks, now=_moment(args.at), configurations=configurations,
            weak_key_lists=args.weak_key_list,
        )  # fmt: skip
    except ServiceError as exc:
        raise _service_error(ctx, exc) from None
    except WeakKeyListError as exc:
        raise InputError(str(exc)) from None
    failing = report.at_or_above(args.fail_on)
    if args.output == "json":
        ctx.print(json.dumps({**report.to_dict(), "failOn": args.fail_on, "failed": bool(failing)}, indent=2))
    elif args.output == "junit":
        ctx.out.write(render.audit_junit(report, fail_on=args.fail_on))
    else:
        ctx.print(_table(report))
        stats = report.statistics()
        ctx.print(
            "\n"
            + text.key_values(
                [
                    ("checks", stats["totalChecks"]),
                    ("noncompliant", stats["nonCompliantChecks"]),
                    ("not run offline", stats["waitingForDataCollectionChecks"]),
                    ("findings", len(report.findings)),
                    (f"at or above {args.fail_on}", len(failing)),
                ]
            )
        )
    return ExitCode.DENIED if failing else ExitCode.OK
