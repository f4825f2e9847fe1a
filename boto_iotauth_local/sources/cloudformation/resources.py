"""One builder per CloudFormation resource type: properties in, World writer calls out.

Each builder reads its properties (intrinsic functions resolved on first read), calls the World's
boto3-named writers, and returns what the resource answers to ``Ref`` and ``Fn::GetAtt``, as documented
in the CloudFormation resource reference. A writer's refusal is reported at the resource and property
that caused it. ``PHASES`` orders the main pass so that resources named by a plain string (not a ``Ref``)
exist before what names them, as CloudFormation's ``DependsOn`` would ensure.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

from boto_iotauth_local.sources.cloudformation import lambdas, names
from boto_iotauth_local.sources.cloudformation.errors import TemplateError
from boto_iotauth_local.sources.cloudformation.template import Built, Properties, Stack
from boto_iotauth_local.world.functions import parse_lambda_arn

# ------------------------------------------------------------------------------------------- IoT core


def policy(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("PolicyName") or stack.generated_name(logical_id)
    document = props.get("PolicyDocument")
    if document is None:
        props.fail(None, "required property PolicyDocument is missing")
    if not isinstance(document, (dict, str)):
        props.fail("PolicyDocument", "PolicyDocument must be a mapping or a string of JSON")
    with stack.writing(props.where("PolicyDocument")):
        stack.world.create_policy(policyName=name, policyDocument=document)
    return Built(name, {"Arn": stack.world.policy_arn(name), "Id": name})


def policy_principal_attachment(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.required_text("PolicyName")
    principal = props.required_text("Principal")
    if not stack.world.has_policy(name):
        stack.ensure_all("AWS::IoT::Policy")
    if not stack.world.has_policy(name):
        props.fail("PolicyName", f"no IoT policy {name!r} in this world")
    with stack.writing(props.where("Principal")):
        stack.world.attach_policy(policyName=name, target=principal)
    return Built(f"{name}|{principal}", {})


def thing(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("ThingName") or stack.generated_name(logical_id)
    payload = props.mapping("AttributePayload")
    attributes = payload.get("Attributes", {})
    if not isinstance(attributes, dict):
        props.fail("AttributePayload", "AttributePayload.Attributes must be a mapping")
    with stack.writing(props.where("ThingName")):
        created = stack.world.create_thing(
            thingName=name, attributePayload={"attributes": {k: str(v) for k, v in attributes.items()}}
        )
    return Built(name, {"Arn": created["thingArn"], "Id": created["thingId"]})


def thing_principal_attachment(stack: Stack, logical_id: str, props: Properties) -> Built:
    thing_name = props.required_text("ThingName")
    principal = props.required_text("Principal")
    kind = props.text("ThingPrincipalType") or "NON_EXCLUSIVE_THING"
    if stack.world.thing(thing_name) is None:
        stack.ensure_all("AWS::IoT::Thing")
    if stack.world.thing(thing_name) is None:
        props.fail("ThingName", f"no thing {thing_name!r} in this world")
    with stack.writing(props.where("Principal")):
        stack.world.attach_thing_principal(thingName=thing_name, principal=principal, thingPrincipalType=kind)
    return Built(f"{thing_name}|{principal}", {})


def thing_group(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("ThingGroupName") or stack.generated_name(logical_id)
    if props.has("QueryString"):
        props.fail(
            "QueryString",
            "a dynamic thing group's members come from the fleet index, which is not modelled; "
            "declare the group static (no QueryString) and list its things in a world file",
        )
    parent = props.text("ParentGroupName")
    given = props.mapping("ThingGroupProperties")
    properties: dict[str, Any] = {}
    if "ThingGroupDescription" in given:
        properties["thingGroupDescription"] = str(given["ThingGroupDescription"])
    attributes = (
        given.get("AttributePayload", {}).get("Attributes")
        if isinstance(given.get("AttributePayload"), dict)
        else None
    )
    if isinstance(attributes, dict):
        properties["attributePayload"] = {"attributes": {k: str(v) for k, v in attributes.items()}}
    if parent is not None and stack.world.thing_group(parent) is None:
        stack.ensure_all("AWS::IoT::ThingGroup")
    if parent is not None and stack.world.thing_group(parent) is None:
        props.fail("ParentGroupName", f"no thing group {parent!r} in this world")
    with stack.writing(props.where("ThingGroupName")):
        created = stack.world.create_thing_group(
            thingGroupName=name, parentGroupName=parent, thingGroupProperties=properties
        )
    return Built(name, {"Arn": created["thingGroupArn"], "Id": created["thingGroupId"]})


def thing_type(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("ThingTypeName") or stack.generated_name(logical_id)
    given = props.mapping("ThingTypeProperties")
    properties: dict[str, Any] = {}
    if "ThingTypeDescription" in given:
        properties["thingTypeDescription"] = str(given["ThingTypeDescription"])
    if isinstance(given.get("SearchableAttributes"), list):
        properties["searchableAttributes"] = [str(a) for a in given["SearchableAttributes"]]
    with stack.writing(props.where("ThingTypeName")):
        created = stack.world.create_thing_type(thingTypeName=name, thingTypeProperties=properties)
        if props.boolean("DeprecateThingType"):
            stack.world.deprecate_thing_type(thingTypeName=name)
    return Built(name, {"Arn": created["thingTypeArn"], "Id": created["thingTypeId"]})


def certificate(stack: Stack, logical_id: str, props: Properties) -> Built:
    status = props.required_text("Status")
    pem = props.text("CertificatePem")
    csr = props.text("CertificateSigningRequest")
    ca_pem = props.text("CACertificatePem")
    if (pem is None) == (csr is None):
        props.fail(None, "give exactly one of CertificatePem or CertificateSigningRequest")
    if csr is not None:
        pem = sign_request(stack, csr, props)
        ca_pem = None
    assert pem is not None
    where = props.where("CertificatePem" if csr is None else "CertificateSigningRequest")
    with stack.writing(where):
        if ca_pem is not None:
            registered = stack.world.register_certificate(
                certificatePem=pem, caCertificatePem=ca_pem, status=status
            )
        else:
            registered = stack.world.register_certificate_without_ca(certificatePem=pem, status=status)
    certificate_id = registered["certificateId"]
    stack.shared.labels[stack.label(logical_id)] = certificate_id
    return Built(certificate_id, {"Arn": registered["certificateArn"], "Id": certificate_id})


#: The issuer AWS IoT writes into certificates it signs from a CSR.
AWS_IOT_ISSUER = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Amazon Web Services"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Amazon.com Inc. L=Seattle ST=Washington C=US"),
    ]
)
_ISSUED_AT = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
_EXPIRES_AT = datetime.datetime(2049, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)


def sign_request(stack: Stack, csr_pem: str, props: Properties) -> str:
    """The certificate AWS IoT would issue for this CSR (see :func:`sign_csr`)."""
    try:
        return sign_csr(csr_pem, stack.world.account_id)
    except ValueError as exc:
        props.fail("CertificateSigningRequest", str(exc))


def sign_csr(csr_pem: str, account_id: str) -> str:
    """Sign a CSR as AWS IoT's CreateCertificateFromCsr would, with a local CA; ValueError if bad.

    The CA key and the serial come from hashes (Ed25519 signs deterministically), so the certificate,
    and so its id, are the same on every load.
    """
    try:
        request = x509.load_pem_x509_csr(csr_pem.encode())
    except ValueError as exc:
        raise ValueError(f"not a PEM certificate signing request: {exc}") from None
    if not request.is_signature_valid:
        raise ValueError("the request's signature does not match its public key")
    seed = hashlib.sha256(f"boto-iotauth-local CA {account_id}".encode()).digest()
    ca_key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    der = request.public_bytes(serialization.Encoding.DER)
    serial = int.from_bytes(hashlib.sha256(der).digest()[:16], "big") >> 1
    certificate_obj = (
        x509.CertificateBuilder()
        .subject_name(request.subject)
        .issuer_name(AWS_IOT_ISSUER)
        .public_key(request.public_key())
        .serial_number(serial)
        .not_valid_before(_ISSUED_AT)
        .not_valid_after(_EXPIRES_AT)
        .sign(ca_key, None)
    )
    return certificate_obj.public_bytes(serialization.Encoding.PEM).decode()


# ---------------------------------------------------------------------------- authorizers and Lambda


def authorizer(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("AuthorizerName") or stack.generated_name(logical_id)
    function_arn = props.required_text("AuthorizerFunctionArn")
    arguments: dict[str, Any] = {
        "authorizerName": name,
        "authorizerFunctionArn": function_arn,
        "status": props.text("Status", "ACTIVE"),
        "signingDisabled": props.boolean("SigningDisabled"),
        "enableCachingForHttp": props.boolean("EnableCachingForHttp"),
    }
    if props.has("TokenKeyName"):
        arguments["tokenKeyName"] = props.text("TokenKeyName")
    keys = props.mapping("TokenSigningPublicKeys")
    if keys:
        arguments["tokenSigningPublicKeys"] = {k: str(v) for k, v in keys.items()}
    pending = stack.shared_functions().get(unqualified_function_arn(function_arn))
    if pending is not None:
        pending()
    with stack.writing(props.where("AuthorizerName")):
        created = stack.world.create_authorizer(**arguments)
    return Built(name, {"Arn": created["authorizerArn"]})


def unqualified_function_arn(arn: str) -> str:
    """A Lambda ARN without its version or alias (the function a qualified ARN runs)."""
    parsed = parse_lambda_arn(arn)
    return parsed.unqualified if parsed is not None else arn


def domain_configuration(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("DomainConfigurationName") or stack.generated_name(logical_id, 128, "-")
    config = props.mapping("AuthorizerConfig")
    status = props.text("DomainConfigurationStatus", "ENABLED")
    default = config.get("DefaultAuthorizerName")
    if default is not None and status == "ENABLED":
        if not isinstance(default, str) or stack.world.authorizer(default) is None:
            props.fail("AuthorizerConfig", f"no authorizer {default!r} in this world to be the default")
        current = stack.world.default_authorizer()
        if current is not None and current.name != default:
            props.fail(
                "AuthorizerConfig",
                f"this world has one default authorizer, already {current.name!r}; "
                f"a second domain configuration cannot make {default!r} the default here",
            )
        with stack.writing(props.where("AuthorizerConfig")):
            stack.world.set_default_authorizer(authorizerName=default)
    arn = stack.world.arns.iot(f"domainconfiguration/{name}/{names.suffix(name)[:5].lower()}")
    return Built(name, {"Arn": arn})


def _function_common(stack: Stack, logical_id: str, props: Properties, *, sam: bool) -> Built:
    name = props.text("FunctionName") or stack.generated_name(logical_id, 64)
    arn = stack.world.arns.lambda_function(name)

    def register() -> None:
        register_function(stack, logical_id, props, name, sam=sam)

    stack.shared_functions()[arn] = register
    return Built(name, {"Arn": arn})


def lambda_function(stack: Stack, logical_id: str, props: Properties) -> Built:
    return _function_common(stack, logical_id, props, sam=False)


def serverless_function(stack: Stack, logical_id: str, props: Properties) -> Built:
    return _function_common(stack, logical_id, props, sam=True)


def register_function(stack: Stack, logical_id: str, props: Properties, name: str, *, sam: bool) -> None:
    """Register the function's local code with the world, when it is Python and on disk."""
    defaults = stack.globals_for_function() if sam else {}

    def setting(key: str) -> Any:
        return props.get(key, defaults.get(key))

    runtime = setting("Runtime")
    handler = setting("Handler")
    code_dir = _code_dir(stack, logical_id, props, defaults, sam=sam)
    if code_dir is None or not lambdas.is_python(runtime) or not isinstance(handler, str):
        why = (
            f"runtime {runtime} is not run here (Python only)"
            if not lambdas.is_python(runtime)
            else "its code is not on this machine"
        )
        stack.note(f"function {logical_id} ({name}): {why}; give a stand-in with world.register_function")
        return
    options: dict[str, Any] = {"code_dir": code_dir}
    environment = setting("Environment")
    if isinstance(environment, dict) and isinstance(environment.get("Variables"), dict):
        options["environment"] = {k: str(v) for k, v in environment["Variables"].items()}
    if setting("MemorySize") is not None:
        options["memory_mb"] = int(setting("MemorySize"))
    if setting("Timeout") is not None:
        options["timeout"] = float(setting("Timeout"))
    with stack.writing(props.where("Handler")):
        stack.world.register_function(name, handler, **options)


def _code_dir(
    stack: Stack, logical_id: str, props: Properties, defaults: dict[str, Any], *, sam: bool
) -> Path | None:
    base = stack.path.resolve().parent
    metadata = stack.resources[logical_id].get("Metadata", {})
    asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
    if sam:
        inline = props.get("InlineCode", defaults.get("InlineCode"))
        if isinstance(inline, str):
            return lambdas.inline_code_dir(inline)
        uri = props.get("CodeUri", defaults.get("CodeUri"))
        if isinstance(uri, str) and not uri.startswith("s3://"):
            folder = (base / uri).resolve()
            return folder if folder.is_dir() else None  # reported: "its code is not on this machine"
    else:
        code = props.mapping("Code")
        if isinstance(code.get("ZipFile"), str):
            return lambdas.inline_code_dir(code["ZipFile"])
    if isinstance(asset, str):
        folder = (base / asset).resolve()
        if not folder.is_dir():
            raise TemplateError(
                stack.path,
                stack.source.line(["Resources", logical_id, "Metadata"]),
                f"no such asset folder: {folder} (run cdk synth again?)",
                logical_id=logical_id,
                property="Metadata.aws:asset:path",
            )
        return folder
    return None


# ---------------------------------------------------------------------------------- IAM and Cognito


def _document(props: Properties, key: str, where: str) -> Any:
    document = props.get(key) if key else None
    if not isinstance(document, (dict, str)):
        props.fail(where, f"{where} must be a policy document (a mapping or a string of JSON)")
    return document


def iam_role(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("RoleName") or stack.generated_name(logical_id, 64)
    path = props.text("Path", "/") or "/"
    arn = f"arn:{stack.world.arns.partition}:iam::{stack.world.account_id}:role{path}{name}"
    policies = stack.shared.role_policies.setdefault(arn, {})
    for index, entry in enumerate(props.sequence("Policies")):
        if not isinstance(entry, dict) or not isinstance(entry.get("PolicyName"), str):
            props.fail("Policies", f"Policies[{index}] needs a PolicyName and a PolicyDocument")
        document = entry.get("PolicyDocument")
        if not isinstance(document, (dict, str)):
            props.fail("Policies", f"Policies[{index}].PolicyDocument must be a policy document")
        policies[entry["PolicyName"]] = document
    for managed in props.sequence("ManagedPolicyArns"):
        known = stack.shared.managed_policies.get(str(managed))
        if known is not None:
            policies[known[0]] = known[1]
        else:
            stack.shared.role_unknown_policies.setdefault(arn, []).append(str(managed))
    role_id = "AROA" + names.suffix(arn, "role")[:17]
    return Built(name, {"Arn": arn, "RoleId": role_id})


def _attach_to_roles(stack: Stack, props: Properties, policy_name: str, document: Any) -> None:
    roles = props.sequence("Roles")
    if props.has("RoleName"):
        roles.append(props.text("RoleName"))
    for role in roles:
        arn = next(
            (a for a in stack.shared.role_policies if a.rsplit("/", 1)[-1] == str(role) or a == role), None
        )
        if arn is None:
            arn = f"arn:{stack.world.arns.partition}:iam::{stack.world.account_id}:role/{role}"
        stack.shared.role_policies.setdefault(arn, {})[policy_name] = document


def iam_policy(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("PolicyName") or stack.generated_name(logical_id)
    _attach_to_roles(stack, props, name, _document(props, "PolicyDocument", "PolicyDocument"))
    return Built(name, {"Id": name})


def iam_managed_policy(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("ManagedPolicyName") or stack.generated_name(logical_id)
    path = props.text("Path", "/") or "/"
    document = _document(props, "PolicyDocument", "PolicyDocument")
    arn = f"arn:{stack.world.arns.partition}:iam::{stack.world.account_id}:policy{path}{name}"
    stack.shared.managed_policies[arn] = (name, document)
    _attach_to_roles(stack, props, name, document)
    return Built(arn, {"PolicyArn": arn})


def identity_pool(stack: Stack, logical_id: str, props: Properties) -> Built:
    name = props.text("IdentityPoolName") or stack.generated_name(logical_id, 128, "_").replace("-", "_")
    pool_id = f"{stack.world.region}:{names.generated_uuid(stack.stack_name, logical_id)}"
    return Built(pool_id, {"Name": name, "Id": pool_id})


def identity_pool_role_attachment(stack: Stack, logical_id: str, props: Properties) -> Built:
    pool_id = props.required_text("IdentityPoolId")
    roles = props.mapping("Roles")
    if props.has("RoleMappings"):
        stack.note(
            f"{logical_id}: RoleMappings (rules and token roles) are not modelled; "
            "only the pool's default authenticated and unauthenticated roles are"
        )
    chosen: dict[str, dict[str, Any]] = {}
    for key in ("authenticated", "unauthenticated"):
        role_arn = roles.get(key)
        if role_arn is None:
            continue
        if not isinstance(role_arn, str):
            props.fail("Roles", f"Roles.{key} must be a role ARN")
        chosen[key] = dict(stack.shared.role_policies.get(role_arn, {}))
        unknown = stack.shared.role_unknown_policies.get(role_arn)
        if unknown:
            stack.note(
                f"{logical_id}: role {role_arn} has managed policies whose documents are not in the "
                f"template and are left out: {', '.join(unknown)}"
            )
    for key, policies in chosen.items():
        for policy_name, document in policies.items():
            if isinstance(document, dict):
                policies[policy_name] = json.loads(json.dumps(document))
        del key
    with stack.writing(props.where("Roles")):
        stack.world.create_cognito_identity_pool(
            identityPoolId=pool_id,
            authenticatedPolicies=chosen.get("authenticated"),
            unauthenticatedPolicies=chosen.get("unauthenticated"),
        )
    return Built(pool_id, {})


BUILDERS = {
    "AWS::IoT::Policy": policy,
    "AWS::IoT::PolicyPrincipalAttachment": policy_principal_attachment,
    "AWS::IoT::Thing": thing,
    "AWS::IoT::ThingPrincipalAttachment": thing_principal_attachment,
    "AWS::IoT::ThingGroup": thing_group,
    "AWS::IoT::ThingType": thing_type,
    "AWS::IoT::Certificate": certificate,
    "AWS::IoT::Authorizer": authorizer,
    "AWS::IoT::DomainConfiguration": domain_configuration,
    "AWS::Lambda::Function": lambda_function,
    "AWS::Serverless::Function": serverless_function,
    "AWS::IAM::Role": iam_role,
    "AWS::IAM::Policy": iam_policy,
    "AWS::IAM::ManagedPolicy": iam_managed_policy,
    "AWS::Cognito::IdentityPool": identity_pool,
    "AWS::Cognito::IdentityPoolRoleAttachment": identity_pool_role_attachment,
}
PHASES = {
    "AWS::IoT::Policy": 0,
    "AWS::IoT::ThingType": 0,
    "AWS::IAM::ManagedPolicy": 0,
    "AWS::IoT::ThingGroup": 1,
    "AWS::IoT::Certificate": 1,
    "AWS::IoT::Thing": 1,
    "AWS::Lambda::Function": 1,
    "AWS::Serverless::Function": 1,
    "AWS::IAM::Role": 1,
    "AWS::Cognito::IdentityPool": 1,
    "AWS::IAM::Policy": 2,
    "AWS::IoT::Authorizer": 2,
    "AWS::CloudFormation::Stack": 2,
    "AWS::IoT::PolicyPrincipalAttachment": 3,
    "AWS::IoT::ThingPrincipalAttachment": 3,
    "AWS::IoT::DomainConfiguration": 3,
    "AWS::Cognito::IdentityPoolRoleAttachment": 4,
}
