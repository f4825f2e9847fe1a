"""``iotauth-local world show``: what a world file holds, with the ARNs the other commands take.

A world file's generated certificates get their ids when it is loaded; this prints them (and every
certificate's things and policies) so that a principal ARN is one command away.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from typing import Any

from ...render import text
from ...world import World
from . import inputs

#: The listing calls' next-page members, by the member that holds the items.
_NEXT = ("nextMarker", "nextToken")


def register(commands: Any, common: argparse.ArgumentParser, epilog: str) -> None:
    """Add ``world`` (with its ``show`` subcommand) to the command line."""
    world = commands.add_parser("world", help="what a world file holds (world show)")
    actions = world.add_subparsers(dest="world_command", required=True, metavar="ACTION")
    show = actions.add_parser(
        "show",
        parents=[common],
        help="certificates (names, ids, ARNs), things, policies and authorizers of a world file",
        description="Print what a world file holds: each certificate's name, ARN, status, things and "
        "policies; each thing, policy and authorizer. The ARNs are those the other commands take.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show.set_defaults(run=show_command)


def _all(call: Callable[..., dict[str, Any]], member: str, **params: Any) -> Iterator[Any]:
    """Every item of a paginated World listing."""
    marker: dict[str, str] = {}
    while True:
        page = call(**params, **marker)
        yield from page.get(member, [])
        following = next(((key, page[key]) for key in _NEXT if page.get(key)), None)
        if following is None:
            return
        key, value = following
        marker = {"marker" if key == "nextMarker" else "nextToken": value}


def describe(world: World) -> dict[str, Any]:
    """The world as plain data: region, account, certificates, things, policies, authorizers."""
    names = {certificate_id: name for name, certificate_id in world.certificate_labels.items()}
    policies = [p["policyName"] for p in _all(world.list_policies, "policies")]
    targets = {
        name: list(_all(world.list_targets_for_policy, "targets", policyName=name)) for name in policies
    }
    certificates = []
    for listed in _all(world.list_certificates, "certificates"):
        arn = listed["certificateArn"]
        certificates.append(
            {
                "name": names.get(listed["certificateId"]),
                "certificateId": listed["certificateId"],
                "certificateArn": arn,
                "status": listed["status"],
                "things": list(_all(world.list_principal_things, "things", principal=arn)),
                "policies": [name for name in policies if arn in targets[name]],
            }
        )
    things = []
    for listed in _all(world.list_things, "things"):
        name = listed["thingName"]
        principals = list(_all(world.list_thing_principals, "principals", thingName=name))
        things.append(
            {
                "thingName": name,
                "thingTypeName": listed.get("thingTypeName"),
                "groups": [
                    g["groupName"]
                    for g in _all(world.list_thing_groups_for_thing, "thingGroups", thingName=name)
                ],
                "principals": principals,
            }
        )
    authorizers = []
    for listed in _all(world.list_authorizers, "authorizers"):
        description = world.describe_authorizer(authorizerName=listed["authorizerName"])[
            "authorizerDescription"
        ]
        authorizers.append(
            {
                "authorizerName": description["authorizerName"],
                "status": description["status"],
                "signingDisabled": description.get("signingDisabled", False),
                "tokenKeyName": description.get("tokenKeyName"),
                "authorizerFunctionArn": description["authorizerFunctionArn"],
            }
        )
    return {
        "region": world.region,
        "accountId": world.account_id,
        "certificates": certificates,
        "things": things,
        "policies": [{"policyName": name, "targets": targets[name]} for name in policies],
        "authorizers": authorizers,
    }


def _sections(shown: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, list[str], list[list[Any]]]]:
    def principal(value: str) -> str:
        return labels.get(value, value)

    return [
        (
            "certificates",
            ["NAME", "STATUS", "THINGS", "POLICIES", "ARN"],
            [
                [c["name"], c["status"], c["things"], c["policies"], c["certificateArn"]]
                for c in shown["certificates"]
            ],
        ),
        (
            "things",
            ["NAME", "TYPE", "GROUPS", "PRINCIPALS"],
            [
                [t["thingName"], t["thingTypeName"], t["groups"], [principal(p) for p in t["principals"]]]
                for t in shown["things"]
            ],
        ),
        (
            "policies",
            ["NAME", "ATTACHED TO"],
            [[p["policyName"], [principal(t) for t in p["targets"]]] for p in shown["policies"]],
        ),
        (
            "authorizers",
            ["NAME", "STATUS", "SIGNING", "TOKEN KEY", "FUNCTION"],
            [
                [
                    a["authorizerName"],
                    a["status"],
                    "disabled" if a["signingDisabled"] else "enabled",
                    a["tokenKeyName"],
                    a["authorizerFunctionArn"],
                ]
                for a in shown["authorizers"]
            ],
        ),
    ]


def show_command(ctx: Any, args: argparse.Namespace) -> int:
    """Print the world: tables (default), tab-separated lines per section, or JSON."""
    world = inputs.world_of(args)
    shown = describe(world)
    labels = {c["certificateArn"]: c["name"] for c in shown["certificates"] if c["name"]}
    if args.output == "json":
        ctx.print(json.dumps(shown, indent=2))
        return 0
    blocks = []
    for title, headers, rows in _sections(shown, labels):
        if not rows:
            continue
        if args.output == "text":
            blocks.append(text.tsv([title.upper(), *row] for row in rows))
        else:
            blocks.append(f"{title}:\n" + text.table(headers, rows))
    sources = ", ".join(args.world) if isinstance(args.world, list) else args.world
    ctx.print(f"world {sources}: account {shown['accountId']}, region {shown['region']}")
    if blocks:
        ctx.print(("\n" if args.output == "text" else "\n\n").join(blocks))
    return 0
