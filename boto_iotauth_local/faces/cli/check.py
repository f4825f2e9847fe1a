"""``iotauth-local check``: run expectations files against a world, for people and for CI.

Prints a table per file, then, for every unmet expectation, the explanation (the statements that
matched and the variable values); ``--junit-xml`` writes the same results for CI. Exit code 0 when every
expectation is met, 1 when one is not, 4 when a file is refused at the door (``path:line: field: ...``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ...expectations import ExpectationsError, Report, load_expectations
from ...render import expectations as render
from ...render.text import tsv
from ...sources.worldfile import WorldFileError
from . import inputs
from .inputs import InputError
from .main import EPILOG, Context, ExitCode, _common, _json


def register(commands: Any) -> None:
    """Add ``check`` to the ``iotauth-local`` subcommands."""
    parser = commands.add_parser(
        "check",
        parents=[_common(world=False)],
        help="run expectations files (who may do what) against a world; non-zero exit if one is unmet",
        description="Decide every expectation of each file as TestAuthorization would and report which "
        "are unmet, with why. The format is in docs/expectations.md.",
        epilog=EPILOG.replace("every authInfo ALLOWED", "every expectation met").replace(
            "something was denied (isAuthenticated false for test-invoke-authorizer)",
            "an expectation is unmet",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", metavar="EXPECTATIONS", help="expectations file (YAML or JSON)")
    parser.add_argument(
        "--world",
        action="append",
        metavar="FILE",
        help="world to check against instead of each file's own 'world:': a world file, a CloudFormation/SAM "
        "template, a cdk.out folder or terraform show -json output; repeat to combine",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="template parameter, or stand-in for a value unknown offline, added to each file's "
        "'parameters:' (this one wins); repeatable",
    )
    parser.add_argument("--junit-xml", metavar="PATH", help="also write the results as JUnit XML, for CI")
    inputs.add_external_handlers_option(parser)
    parser.set_defaults(run=check_command)


def check_command(ctx: Context, args: argparse.Namespace) -> ExitCode:
    reports: list[Report] = []
    parameters = inputs.parameters(args.parameter)
    try:
        for name in args.files:
            parsed = load_expectations(name)
            world = parsed.load_world(
                args.world, parameters=parameters, allow_external_handlers=args.allow_external_handlers
            )
            reports.append(parsed.check(world))
    except (ExpectationsError, WorldFileError) as exc:
        raise InputError(str(exc)) from None
    if args.junit_xml:
        path = Path(args.junit_xml)
        try:
            path.write_text(render.junit_xml(reports), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: --junit-xml: cannot write the file: {exc}") from None
    if args.output == "json":
        ctx.print(_json(_to_dict(reports)))
    elif args.output == "text":
        ctx.print(tsv(_tsv_rows(reports)))
    else:
        ctx.print(render.report_text(reports))
    return ExitCode.OK if all(report.met for report in reports) else ExitCode.DENIED


def _to_dict(reports: list[Report]) -> dict[str, Any]:
    outcomes = [outcome for report in reports for outcome in report.outcomes]
    return {
        "met": sum(1 for outcome in outcomes if outcome.met),
        "unmet": sum(1 for outcome in outcomes if not outcome.met),
        "files": [
            {
                "path": str(report.path),
                "expectations": [
                    {
                        "name": outcome.expectation.name,
                        "kind": outcome.expectation.kind,
                        "line": outcome.expectation.line,
                        "met": outcome.met,
                        "checks": [
                            {
                                "principal": row.principal,
                                "clientId": row.client_id,
                                "action": row.action,
                                "resource": row.resource,
                                "expected": row.expected,
                                "actual": row.actual,
                                "met": row.met,
                            }
                            for row in outcome.rows
                        ],
                        "explanation": outcome.explanation or None,
                        "notes": list(outcome.notes),
                    }
                    for outcome in report.outcomes
                ],
            }
            for report in reports
        ],
    }


def _tsv_rows(reports: list[Report]) -> list[list[Any]]:
    """file, line, name, met, principal, client id, action, resource, expected, actual: one per check."""
    return [
        [
            str(report.path),
            outcome.expectation.line,
            outcome.expectation.name,
            row.met,
            row.principal,
            row.client_id,
            row.action,
            row.resource,
            row.expected,
            row.actual,
        ]
        for report in reports
        for outcome in report.outcomes
        for row in outcome.rows
    ]


__all__ = ["check_command", "register"]
