"""One builder per Terraform resource type of the AWS provider: attributes in, World writer calls out.

Attribute names and nested blocks (lists of one object in JSON) are the AWS provider's; what each
resource exposes to references (``arn``, ``id``, ``name``) is what the provider documents.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from boto_iotauth_local.sources.cloudformation import lambdas, names
from boto_iotauth_local.sources.cloudformation.resources import sign_csr, unqualified_function_arn
from boto_iotauth_local.sources.terraform.plan import Built, Plan, Resource

ZIP_ROOT = Path(tempfile.gettempdir()) / "boto-iotauth-local" / "terraform-code"


def _block(plan: Plan, resource: Resource, attribute: str) -> dict[str, Any]:
    """A nested block (a list of at most one object in JSON), or {}."""
    value = plan.value(resource, attribute)
    if value is None or value == []:
        return {}
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0]
    if isinstance(value, dict):
        return value
    plan.fail(resource.address, attribute, f"{attribute} must be a block")


def policy(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "name", required=True)
    document = plan.value(r, "policy", required=True)
    assert name is not None
    with plan.writing(r, "policy"):
        plan.world.create_policy(policyName=name, policyDocument=document)
    return Built({"name": name, "id": name, "arn": plan.world.policy_arn(name), "default_version_id": "1"})


def policy_attachment(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "policy", required=True)
    target = plan.text(r, "target", required=True)
    assert name is not None and target is not None
    with plan.writing(r, "target"):
        plan.world.attach_policy(policyName=name, target=target)
    return Built({"id": f"{name}|{target}"})


def thing(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "name", required=True)
    assert name is not None
    attributes = plan.value(r, "attributes") or {}
    thing_type = plan.text(r, "thing_type_name")
    arguments: dict[str, Any] = {
        "thingName": name,
        "attributePayload": {"attributes": {k: str(v) for k, v in attributes.items()}},
    }
    if thing_type:
        arguments["thingTypeName"] = thing_type
    with plan.writing(r, "name"):
        created = plan.world.create_thing(**arguments)
    return Built({"name": name, "id": name, "arn": created["thingArn"]})


def thing_principal_attachment(plan: Plan, r: Resource) -> Built:
    thing_name = plan.text(r, "thing", required=True)
    principal = plan.text(r, "principal", required=True)
    kind = plan.text(r, "thing_principal_type") or "NON_EXCLUSIVE_THING"
    with plan.writing(r, "principal"):
        plan.world.attach_thing_principal(
            thingName=thing_name or "", principal=principal or "", thingPrincipalType=kind
        )
    return Built({"id": f"{thing_name}|{principal}"})


def thing_group(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "name", required=True)
    assert name is not None
    parent = plan.text(r, "parent_group_name")
    block = _block(plan, r, "properties")
    properties: dict[str, Any] = {}
    if block.get("description"):
        properties["thingGroupDescription"] = str(block["description"])
    payload = block.get("attribute_payload") or []
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        attributes = payload[0].get("attributes") or {}
        properties["attributePayload"] = {"attributes": {k: str(v) for k, v in attributes.items()}}
    if parent is not None and plan.world.thing_group(parent) is None:
        for other in plan.resources.values():
            if other.kind == "aws_iot_thing_group" and other.address not in plan.building:
                plan.build(other)
    with plan.writing(r, "name"):
        created = plan.world.create_thing_group(
            thingGroupName=name, parentGroupName=parent, thingGroupProperties=properties
        )
    return Built({"name": name, "id": name, "arn": created["thingGroupArn"]})


def thing_group_membership(plan: Plan, r: Resource) -> Built:
    thing_name = plan.text(r, "thing_name", required=True)
    group = plan.text(r, "thing_group_name", required=True)
    with plan.writing(r, "thing_group_name"):
        plan.world.add_thing_to_thing_group(thingGroupName=group, thingName=thing_name)
    return Built({"id": f"{group}/{thing_name}"})


def thing_type(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "name", required=True)
    assert name is not None
    block = _block(plan, r, "properties")
    properties: dict[str, Any] = {}
    if block.get("description"):
        properties["thingTypeDescription"] = str(block["description"])
    if block.get("searchable_attributes"):
        properties["searchableAttributes"] = [str(a) for a in block["searchable_attributes"]]
    with plan.writing(r, "name"):
        created = plan.world.create_thing_type(thingTypeName=name, thingTypeProperties=properties)
        if plan.value(r, "deprecated") is True:
            plan.world.deprecate_thing_type(thingTypeName=name)
    return Built({"name": name, "id": name, "arn": created["thingTypeArn"]})


def certificate(plan: Plan, r: Resource) -> Built:
    """From ``certificate_pem`` (given, or known in a state), a ``csr`` signed locally, or keys made here."""
    active = plan.value(r, "active")
    status = "ACTIVE" if active is True or active is None else "INACTIVE"
    pem = r.values.get("certificate_pem")
    csr = r.values.get("csr")
    ca_pem = r.values.get("ca_pem")
    with plan.writing(r, "certificate_pem" if pem else "csr"):
        if isinstance(pem, str) and pem:
            if isinstance(ca_pem, str) and ca_pem:
                registered = plan.world.register_certificate(
                    certificatePem=pem, caCertificatePem=ca_pem, status=status
                )
            else:
                registered = plan.world.register_certificate_without_ca(certificatePem=pem, status=status)
        elif isinstance(csr, str) and csr:
            registered = plan.world.register_certificate_without_ca(
                certificatePem=_sign(plan, r, csr), status=status
            )
        else:  # CreateKeysAndCertificate: AWS makes the keys; its certificates carry this subject
            registered = plan.world.create_test_certificate(
                subject={"CommonName": "AWS IoT Certificate"},
                status=status,
                serial_number=int(hashlib.sha256(r.address.encode()).hexdigest()[:30], 16),
            )
    certificate_id = registered["certificateId"]
    plan.labels[r.address] = certificate_id
    return Built({"id": certificate_id, "arn": registered["certificateArn"]})


def _sign(plan: Plan, r: Resource, csr: str) -> str:
    try:
        return sign_csr(csr, plan.world.account_id)
    except ValueError as exc:
        plan.fail(r.address, "csr", str(exc))


def authorizer(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "name", required=True)
    function_arn = plan.text(r, "authorizer_function_arn", required=True)
    assert name is not None and function_arn is not None
    arguments: dict[str, Any] = {
        "authorizerName": name,
        "authorizerFunctionArn": function_arn,
        "status": plan.text(r, "status") or "ACTIVE",
        "signingDisabled": bool(plan.value(r, "signing_disabled", False)),
        "enableCachingForHttp": bool(plan.value(r, "enable_caching_for_http", False)),
    }
    token_key = plan.text(r, "token_key_name")
    if token_key:
        arguments["tokenKeyName"] = token_key
    keys = plan.value(r, "token_signing_public_keys") or {}
    if keys:
        arguments["tokenSigningPublicKeys"] = {k: str(v) for k, v in keys.items()}
    pending = plan.functions.get(unqualified_function_arn(function_arn))
    if pending is not None:
        pending()
    with plan.writing(r, "name"):
        created = plan.world.create_authorizer(**arguments)
    return Built({"name": name, "id": name, "arn": created["authorizerArn"]})


def domain_configuration(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "name", required=True)
    block = _block(plan, r, "authorizer_config")
    default = block.get("default_authorizer_name")
    status = plan.text(r, "status") or "ENABLED"
    if isinstance(default, str) and default and status == "ENABLED":
        if plan.world.authorizer(default) is None:
            plan.fail(r.address, "authorizer_config", f"no authorizer {default!r} in this world")
        current = plan.world.default_authorizer()
        if current is not None and current.name != default:
            plan.fail(
                r.address,
                "authorizer_config",
                f"this world has one default authorizer, already {current.name!r}",
            )
        plan.world.set_default_authorizer(authorizerName=default)
    return Built({"name": name, "id": name})


def lambda_function(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "function_name", required=True)
    assert name is not None
    arn = plan.world.arns.lambda_function(name)

    def register() -> None:
        runtime = plan.text(r, "runtime")
        handler = plan.text(r, "handler")
        filename = plan.text(r, "filename")
        if not lambdas.is_python(runtime) or not handler or not filename:
            why = "its code is not a local file" if not filename else f"runtime {runtime} is not run here"
            plan.notes.append(f"{r.address}: {why}; give a stand-in with world.register_function")
            return
        code_dir = _unzip(plan, r, filename)
        options: dict[str, Any] = {"code_dir": code_dir}
        environment = _block(plan, r, "environment")
        if isinstance(environment.get("variables"), dict):
            options["environment"] = {k: str(v) for k, v in environment["variables"].items()}
        if plan.value(r, "memory_size") is not None:
            options["memory_mb"] = int(plan.value(r, "memory_size"))
        if plan.value(r, "timeout") is not None:
            options["timeout"] = float(plan.value(r, "timeout"))
        with plan.writing(r, "handler"):
            plan.world.register_function(name, handler, **options)

    plan.functions[arn] = register
    return Built({"function_name": name, "id": name, "arn": arn, "qualified_arn": f"{arn}:$LATEST"})


def _unzip(plan: Plan, r: Resource, filename: str) -> Path:
    """The deployment package, unpacked once into a folder named by its content's hash."""
    candidates = [Path(filename), plan.path.resolve().parent / filename]
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        plan.fail(r.address, "filename", f"no such deployment package: {filename}")
    data = found.read_bytes()
    folder = ZIP_ROOT / hashlib.sha256(data).hexdigest()[:24]
    if not folder.is_dir():
        staging = Path(tempfile.mkdtemp(dir=ZIP_ROOT.parent if ZIP_ROOT.parent.is_dir() else None))
        try:
            with zipfile.ZipFile(found) as archive:
                for member in archive.namelist():
                    target = (staging / member).resolve()
                    if not str(target).startswith(str(staging.resolve())):
                        plan.fail(r.address, "filename", f"the package's entry {member!r} leaves its folder")
                archive.extractall(staging)
        except zipfile.BadZipFile as exc:
            plan.fail(r.address, "filename", f"not a zip file: {exc}")
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # another load unpacked the same package first
            staging.replace(folder)
    return folder


def iam_role(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "name", required=True)
    path = plan.text(r, "path") or "/"
    arn = (
        r.values.get("arn")
        or f"arn:{plan.world.arns.partition}:iam::{plan.world.account_id}:role{path}{name}"
    )
    policies = plan.role_policies.setdefault(arn, {})
    for block in plan.value(r, "inline_policy") or []:
        if isinstance(block, dict) and block.get("name") and block.get("policy"):
            policies[str(block["name"])] = block["policy"]
    for managed in plan.value(r, "managed_policy_arns") or []:
        plan.notes.append(f"{r.address}: managed policy {managed} is left out (its document is not here)")
    return Built({"name": name, "id": name, "arn": arn, "unique_id": "AROA" + names.suffix(arn)[:17]})


def _role_arn(plan: Plan, role: str) -> str:
    for arn in plan.role_policies:
        if arn == role or arn.rsplit("/", 1)[-1] == role:
            return arn
    return f"arn:{plan.world.arns.partition}:iam::{plan.world.account_id}:role/{role}"


def iam_role_policy(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "name", required=True)
    role = plan.text(r, "role", required=True)
    document = plan.value(r, "policy", required=True)
    assert name is not None and role is not None
    plan.role_policies.setdefault(_role_arn(plan, role), {})[name] = document
    return Built({"id": f"{role}:{name}", "name": name})


def iam_policy(plan: Plan, r: Resource) -> Built:
    name = plan.text(r, "name", required=True)
    path = plan.text(r, "path") or "/"
    arn = (
        r.values.get("arn")
        or f"arn:{plan.world.arns.partition}:iam::{plan.world.account_id}:policy{path}{name}"
    )
    return Built({"name": name, "arn": arn, "id": arn, "policy": plan.value(r, "policy", required=True)})


def iam_role_policy_attachment(plan: Plan, r: Resource) -> Built:
    role = plan.text(r, "role", required=True)
    policy_arn = plan.text(r, "policy_arn", required=True)
    assert role is not None
    for other in plan.resources.values():
        if other.kind == "aws_iam_policy":
            built = plan.build(other)
            if built.attributes["arn"] == policy_arn:
                plan.role_policies.setdefault(_role_arn(plan, role), {})[built.attributes["name"]] = (
                    built.attributes["policy"]
                )
                break
    else:
        plan.notes.append(f"{r.address}: policy {policy_arn} is left out (its document is not here)")
    return Built({"id": f"{role}-{policy_arn}"})


def identity_pool(plan: Plan, r: Resource) -> Built:
    pool_id = r.values.get("id")
    if not isinstance(pool_id, str):
        pool_id = f"{plan.world.region}:{names.generated_uuid(r.address)}"
    name = plan.text(r, "identity_pool_name")
    return Built({"id": pool_id, "identity_pool_name": name})


def identity_pool_roles_attachment(plan: Plan, r: Resource) -> Built:
    pool_id = plan.text(r, "identity_pool_id", required=True)
    roles = plan.value(r, "roles", required=True)
    if not isinstance(roles, dict):
        plan.fail(r.address, "roles", "roles must map authenticated/unauthenticated to role ARNs")
    for other in plan.resources.values():  # role policies may be separate resources naming the role
        if other.kind in ("aws_iam_role_policy", "aws_iam_role_policy_attachment"):
            plan.build(other)
    chosen: dict[str, dict[str, Any]] = {}
    for key in ("authenticated", "unauthenticated"):
        if isinstance(roles.get(key), str):
            chosen[key] = {
                n: json.loads(d) if isinstance(d, str) else d
                for n, d in plan.role_policies.get(_role_arn(plan, roles[key]), {}).items()
            }
    with plan.writing(r, "roles"):
        plan.world.create_cognito_identity_pool(
            identityPoolId=pool_id or "",
            authenticatedPolicies=chosen.get("authenticated"),
            unauthenticatedPolicies=chosen.get("unauthenticated"),
        )
    return Built({"id": pool_id})


BUILDERS = {
    "aws_iot_policy": policy,
    "aws_iot_policy_attachment": policy_attachment,
    "aws_iot_thing": thing,
    "aws_iot_thing_principal_attachment": thing_principal_attachment,
    "aws_iot_thing_group": thing_group,
    "aws_iot_thing_group_membership": thing_group_membership,
    "aws_iot_thing_type": thing_type,
    "aws_iot_certificate": certificate,
    "aws_iot_authorizer": authorizer,
    "aws_iot_domain_configuration": domain_configuration,
    "aws_lambda_function": lambda_function,
    "aws_iam_role": iam_role,
    "aws_iam_role_policy": iam_role_policy,
    "aws_iam_policy": iam_policy,
    "aws_iam_role_policy_attachment": iam_role_policy_attachment,
    "aws_cognito_identity_pool": identity_pool,
    "aws_cognito_identity_pool_roles_attachment": identity_pool_roles_attachment,
}
PHASES = {
    "aws_iot_policy": 0,
    "aws_iot_thing_type": 0,
    "aws_iam_policy": 0,
    "aws_iot_thing_group": 1,
    "aws_iot_certificate": 1,
    "aws_iot_thing": 1,
    "aws_lambda_function": 1,
    "aws_iam_role": 1,
    "aws_cognito_identity_pool": 1,
    "aws_iam_role_policy": 2,
    "aws_iam_role_policy_attachment": 2,
    "aws_iot_authorizer": 2,
    "aws_iot_policy_attachment": 3,
    "aws_iot_thing_principal_attachment": 3,
    "aws_iot_thing_group_membership": 3,
    "aws_iot_domain_configuration": 3,
    "aws_cognito_identity_pool_roles_attachment": 4,
}
