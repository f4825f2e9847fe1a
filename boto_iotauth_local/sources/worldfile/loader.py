"""Building a World from a world file, through the world's own writers.

Every entry becomes the boto3-named calls a test would make in code (``create_policy``,
``attach_thing_principal``, ...), so every rule AWS enforces applies to a file too; the world's
ServiceError (or ValueError, for the local-only calls) is re-raised as a WorldFileError at the field
that caused it. Sections are applied in dependency order, whatever their order in the file: policies,
thing types, thing groups (parents first), certificates, Cognito identities, things, identity pools,
functions, authorizers; thing types marked ``deprecated`` are deprecated last, after their things exist.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from boto_iotauth_local.authorizers.references import HandlerReferenceError, split_reference
from boto_iotauth_local.errors import ServiceError
from boto_iotauth_local.sources.worldfile import schema
from boto_iotauth_local.sources.worldfile.errors import WorldFileError
from boto_iotauth_local.sources.worldfile.schema import Field
from boto_iotauth_local.world.arns import principal_kind
from boto_iotauth_local.world.functions import RUNTIMES, parse_lambda_arn
from boto_iotauth_local.world.policies import IAM_POLICY_MAX_CHARS, compile_document
from boto_iotauth_local.world.validation import check_policy_name
from boto_iotauth_local.world.world import World

W = TypeVar("W", bound=World)

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def file_format(path: Path) -> str:
    """``"yaml"`` or ``"json"`` from the file's suffix."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise WorldFileError(
            path, None, None, f"unknown world file suffix {path.suffix!r}; use .yaml, .yml or .json"
        )
    return kind


#: How a caller allows handler code outside the world file's directory, for the refusal's message.
ALLOW_EXTERNAL_HINT = (
    "World.from_file(..., allow_external_handlers=True), iotauth-local --allow-external-handlers, "
    "or IOTAUTH_LOCAL_ALLOW_EXTERNAL_HANDLERS=1 for the AWS CLI plugin"
)


def load_world(
    path: str | os.PathLike[str],
    *,
    world_class: type[W] = World,  # type: ignore[assignment]
    into: W | None = None,
    allow_external_handlers: bool = False,
) -> W:
    """Read the world file at ``path`` (YAML or JSON, by suffix) into a new world, or ``into`` one.

    Loaded ``into`` a world (one built from a template, say), the file adds to it: it may name that
    world's policies, and its certificates by their labels; an ``account_id`` or ``region`` it declares
    must be the world's.

    A world file is trusted like code: its authorizers' handlers run when invoked. Their ``code_dir`` and
    file handlers must lie inside the world file's directory unless ``allow_external_handlers`` is True
    (docs/threat-model.md).
    """
    source = Path(path)
    json_syntax = file_format(source) == "json"
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorldFileError(source, None, None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorldFileError(source, None, None, f"cannot read the file: {exc}") from None
    root = schema.parse(text, source, json_syntax=json_syntax)
    loader = _Loader(root, source.resolve().parent, allow_external_handlers=allow_external_handlers)
    return loader.load(world_class, into)


@contextmanager
def _at(where: Field) -> Iterator[None]:
    """Report the world's refusal of a call as an error at ``where``."""
    try:
        yield
    except WorldFileError:
        raise
    except ServiceError as exc:
        raise where.error(str(exc)) from None
    except ValueError as exc:
        raise where.error(str(exc)) from None


def _choices(names: Any) -> str:
    listed = ", ".join(repr(n) for n in names)
    return listed or "none"


@dataclass
class _Loader:
    root: Field
    base_dir: Path
    allow_external_handlers: bool = False
    world: World = field(init=False)
    labels: dict[str, str] = field(default_factory=dict)
    label_lines: dict[str, int] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    policy_names: list[str] = field(default_factory=list)

    def load(self, world_class: type[W], into: W | None = None) -> W:
        sections = self.root.mapping(schema.TOP_LEVEL_KEYS)
        if into is not None:
            for key, actual in (("account_id", into.account_id), ("region", into.region)):
                if key in sections and sections[key].text() != actual:
                    raise sections[key].error(
                        f"this file is combined with a world whose {key} is {actual!r}, "
                        f"not {sections[key].text()!r}"
                    )
            world = into
            self.labels.update(into.certificate_labels)
        else:
            account = sections["account_id"].text() if "account_id" in sections else "123456789012"
            region = sections["region"].text() if "region" in sections else "us-east-1"
            try:
                world = world_class(account_id=account, region=region)
            except ValueError as exc:
                culprit = "account_id" if str(exc).startswith("account_id") else "region"
                where = sections.get(culprit, self.root)
                raise where.error(str(exc)) from None
        self.world = world

        def each(name: str) -> list[Field]:
            return sections[name].items() if name in sections else []

        for entry in each("policies"):
            self._policy(entry)
        deprecated = [self._thing_type(entry) for entry in each("thing_types")]
        self._thing_groups(each("thing_groups"))
        for entry in each("ca_certificates"):
            self._ca_certificate(entry)
        for entry in each("certificates"):
            self._certificate(entry)
        for entry in each("cognito_identities"):
            self._cognito_identity(entry)
        for entry in each("things"):
            self._thing(entry)
        for name, where in (d for d in deprecated if d is not None):
            with _at(where):
                world.deprecate_thing_type(thingTypeName=name)
        for entry in each("cognito_identity_pools"):
            self._pool(entry)
        for entry in each("functions"):
            self._function(entry)
        default: Field | None = None
        for entry in each("authorizers"):
            default = self._authorizer(entry, default)
        for entry in each("revocation_lists"):
            self._revocation_list(entry)
        for entry in each("weak_key_lists"):
            path = self._path(entry)
            with _at(entry):
                self.world.register_weak_key_list(path)
        world.certificate_labels = MappingProxyType(dict(self.labels))
        return world

    # ------------------------------------------------------------------------------------------ helpers

    def _document(self, where: Field) -> Any:
        """A policy document: a mapping, or a string of JSON."""
        if where.is_mapping():
            return where.value()
        if where.is_string():
            return where.text()
        raise where.error("expected a policy document: a mapping, or a string of JSON")

    def _attach_policies(self, where: Field, target: str) -> None:
        for item in where.items():
            name = item.text()
            if not self.world.has_policy(name):
                raise item.error(f"unknown policy {name!r}; policies in this file: {self._policy_names()}")
            with _at(item):
                self.world.attach_policy(policyName=name, target=target)

    def _policy_names(self) -> str:
        return _choices(self.policy_names)

    def _path(self, where: Field) -> Path:
        """A path from the file, relative to the world file's directory."""
        text = where.text()
        if not text:
            raise where.error("expected a file path, got an empty string")
        return (self.base_dir / Path(text).expanduser()).resolve()

    def _read(self, where: Field) -> str:
        path = self._path(where)
        if not path.is_file():
            raise where.error(f"no such file: {path}")
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise where.error(f"cannot read {path}: {exc}") from None

    # ----------------------------------------------------------------------------------------- policies

    def _policy(self, entry: Field) -> None:
        fields = entry.mapping(schema.POLICY_KEYS, required=("name", "document"))
        name = fields["name"].text()
        versions: list[tuple[int, Field, Any]] = []
        first_id = self._version_id(fields["version_id"]) if "version_id" in fields else 1
        versions.append((first_id, fields["document"], self._document(fields["document"])))
        for item in fields["versions"].items() if "versions" in fields else []:
            parts = item.mapping(schema.POLICY_VERSION_KEYS, required=("document",))
            version_id = self._version_id(parts["id"]) if "id" in parts else versions[-1][0] + 1
            if version_id <= versions[-1][0]:
                raise parts["id"].error(
                    f"version ids must increase: {version_id} comes after {versions[-1][0]}"
                )
            versions.append((version_id, parts["document"], self._document(parts["document"])))

        with _at(fields["name"]):
            check_policy_name(name)
            if self.world.has_policy(name):
                raise fields["name"].error(f"duplicate policy {name!r}")
        first_id, where, document = versions[0]
        with _at(where):
            self.world.create_policy(policyName=name, policyDocument=document)
        self.policy_names.append(name)
        with _at(where):
            current = 1
            while current < first_id:  # advance the version counter to the written id, as AWS would have
                created = self.world.create_policy_version(
                    policyName=name, policyDocument=document, setAsDefault=True
                )
                self.world.delete_policy_version(policyName=name, policyVersionId=str(current))
                current = int(created["policyVersionId"])
        for version_id, where, document in versions[1:]:
            with _at(where):
                while True:
                    created = self.world.create_policy_version(policyName=name, policyDocument=document)
                    if int(created["policyVersionId"]) == version_id:
                        break
                    self.world.delete_policy_version(
                        policyName=name, policyVersionId=created["policyVersionId"]
                    )
        if "default_version" in fields:
            where = fields["default_version"]
            default = self._version_id(where)
            known = [v for v, _, _ in versions]
            if default not in known:
                raise where.error(
                    f"no version {default} in this policy; its versions are {', '.join(map(str, known))}"
                )
            if default != first_id:
                with _at(where):
                    self.world.set_default_policy_version(policyName=name, policyVersionId=str(default))

    @staticmethod
    def _version_id(where: Field) -> int:
        value: int | None = None
        if where.is_string() and where.text().isdigit():
            value = int(where.text())
        elif not where.is_string():
            value = where.integer()
        if value is None or value < 1:
            raise where.error("expected a policy version id: a whole number from 1")
        return value

    # -------------------------------------------------------------------------- thing types and groups

    def _thing_type(self, entry: Field) -> tuple[str, Field] | None:
        fields = entry.mapping(schema.THING_TYPE_KEYS, required=("name",))
        name = fields["name"].text()
        properties: dict[str, Any] = {}
        if "description" in fields:
            properties["thingTypeDescription"] = fields["description"].text()
        if "searchable_attributes" in fields:
            properties["searchableAttributes"] = fields["searchable_attributes"].text_list()
        with _at(entry):
            self.world.create_thing_type(thingTypeName=name, thingTypeProperties=properties)
        if "deprecated" in fields and fields["deprecated"].boolean():
            return name, fields["deprecated"]
        return None

    def _thing_groups(self, entries: list[Field]) -> None:
        """Create groups parents first, whatever their order in the file."""
        parsed: dict[str, tuple[Field, dict[str, Field]]] = {}
        for entry in entries:
            fields = entry.mapping(schema.THING_GROUP_KEYS, required=("name",))
            name = fields["name"].text()
            if name in parsed:
                raise fields["name"].error(
                    f"duplicate thing group {name!r} (first at line {parsed[name][0].line})"
                )
            parsed[name] = (entry, fields)
        created: set[str] = set()

        def create(name: str, chain: tuple[str, ...]) -> None:
            if name in created:
                return
            entry, fields = parsed[name]
            parent: str | None = None
            if "parent" in fields:
                parent = fields["parent"].text()
                if parent in chain or parent == name:
                    raise fields["parent"].error(
                        f"thing group parents form a cycle: {' -> '.join((*chain, name, parent))}"
                    )
                if parent not in parsed:
                    raise fields["parent"].error(
                        f"unknown thing group {parent!r}; thing groups in this file: {_choices(parsed)}"
                    )
                create(parent, (*chain, name))
            properties: dict[str, Any] = {}
            if "description" in fields:
                properties["thingGroupDescription"] = fields["description"].text()
            if "attributes" in fields:
                properties["attributePayload"] = {"attributes": fields["attributes"].text_map()}
            with _at(entry):
                self.world.create_thing_group(
                    thingGroupName=name, parentGroupName=parent, thingGroupProperties=properties
                )
            created.add(name)
            if "policies" in fields:
                self._attach_policies(fields["policies"], self.world.thing_group_arn(name))

        for name in parsed:
            create(name, ())

    # ------------------------------------------------------------------------------------- certificates

    def _certificate(self, entry: Field) -> None:
        fields = entry.mapping(schema.CERTIFICATE_KEYS)
        generated = [
            k
            for k in ("subject", "issuer", "subject_alternative_names", "issuer_alternative_names")
            if k in fields
        ]
        given = [k for k in ("pem", "pem_file") if k in fields]
        if len(given) > 1 or (given and generated):
            extra = fields[(given + generated)[1]]
            raise extra.error(
                f"give one of 'pem', 'pem_file' or the names of a generated certificate, not both "
                f"{(given + generated)[0]!r} and {(given + generated)[1]!r}"
            )
        status = fields["status"].text() if "status" in fields else "ACTIVE"
        label: str | None = None
        if "name" in fields:
            label = fields["name"].text()
            if label in self.labels:
                raise fields["name"].error(
                    f"duplicate certificate name {label!r} "
                    + (
                        f"(first at line {self.label_lines[label]})"
                        if label in self.label_lines
                        else "(a certificate of the world this file is combined with)"
                    )
                )
        if given:
            where = fields[given[0]]
            pem = where.text() if given[0] == "pem" else self._read(where)
            with _at(where):
                registered = self.world.register_certificate_without_ca(certificatePem=pem, status=status)
        else:
            names = {
                k: self._names(fields[k], list_values=k.endswith("alternative_names")) for k in generated
            }
            with _at(fields[generated[0]] if generated else entry):
                registered = self.world.create_test_certificate(
                    subject=names.get("subject"),
                    issuer=names.get("issuer"),
                    subject_alternative_names=names.get("subject_alternative_names"),
                    issuer_alternative_names=names.get("issuer_alternative_names"),
                    status=status,
                )
        if label is not None:
            self.labels[label] = registered["certificateId"]
            self.label_lines[label] = fields["name"].line
        if "policies" in fields:
            self._attach_policies(fields["policies"], registered["certificateArn"])

    def _pem(self, fields: dict[str, Field], key: str, entry: Field, *, required: bool = True) -> str | None:
        """The PEM text of ``key`` or ``key_file`` (one of them; ``required``: at least one)."""
        given = [k for k in (key, f"{key}_file") if k in fields]
        if len(given) > 1:
            raise fields[given[1]].error(f"give one of {key!r} or '{key}_file', not both")
        if not given:
            if required:
                raise entry.error(f"missing {key!r} (or '{key}_file')")
            return None
        where = fields[given[0]]
        return where.text() if given[0] == key else self._read(where)

    def _ca_certificate(self, entry: Field) -> None:
        """A CA certificate; without a verification certificate it is registered in SNI_ONLY mode."""
        fields = entry.mapping(schema.CA_CERTIFICATE_KEYS)
        pem = self._pem(fields, "pem", entry)
        verification = self._pem(fields, "verification_pem", entry, required=False)
        status = fields["status"].text() if "status" in fields else "ACTIVE"
        mode = fields["certificate_mode"].text() if "certificate_mode" in fields else None
        auto = fields["auto_registration"].boolean() if "auto_registration" in fields else False
        if status not in ("ACTIVE", "INACTIVE"):
            raise fields["status"].error(f"status must be ACTIVE or INACTIVE, not {status!r}")
        with _at(fields.get("pem") or fields.get("pem_file") or entry):
            self.world.register_ca_certificate(
                caCertificate=pem or "",
                verificationCertificate=verification,
                certificateMode=mode or ("DEFAULT" if verification is not None else "SNI_ONLY"),
                allowAutoRegistration=auto,
                setAsActive=status == "ACTIVE",
            )

    def _revocation_list(self, entry: Field) -> None:
        fields = entry.mapping(schema.REVOCATION_LIST_KEYS)
        pem = self._pem(fields, "pem", entry)
        with _at(fields.get("pem") or fields.get("pem_file") or entry):
            self.world.register_revocation_list(crlPem=pem or "")

    @staticmethod
    def _names(where: Field, *, list_values: bool) -> dict[str, Any]:
        """Certificate names by IoT field name: a string, or a list of strings for repeated values."""
        names: dict[str, Any] = {}
        for key, value in where.entries():
            if value.is_string() and not list_values:
                names[key] = value.text()
            elif value.is_string():
                names[key] = [value.text()]
            else:
                names[key] = value.text_list()
        return names

    def _certificate_arn(self, where: Field) -> str:
        """The ARN of the certificate a reference names: its ``name`` label, its id or its ARN."""
        reference = where.text()
        certificate_id = self.labels.get(reference)
        found = (
            self.world.certificate(certificate_id)
            if certificate_id is not None
            else self.world.certificate_by_arn(reference) or self.world.certificate(reference)
        )
        if found is None:
            raise where.error(
                f"unknown certificate {reference!r}; certificate names in this file: {_choices(self.labels)}"
            )
        return found.arn

    # --------------------------------------------------------------------------------- Cognito, things

    def _cognito_id(self, where: Field) -> str:
        identity = where.text()
        if principal_kind(identity) != "cognito":
            raise where.error(
                f"{identity!r} is not a Cognito identity id; expected <region>:<uuid>, as in "
                "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"
            )
        return identity

    def _cognito_identity(self, entry: Field) -> None:
        fields = entry.mapping(schema.COGNITO_IDENTITY_KEYS, required=("id",))
        identity = self._cognito_id(fields["id"])
        if "policies" in fields:
            self._attach_policies(fields["policies"], identity)

    def _thing(self, entry: Field) -> None:
        fields = entry.mapping(schema.THING_KEYS, required=("name",))
        name = fields["name"].text()
        thing_type = fields["type"].text() if "type" in fields else None
        if thing_type is not None and self.world.thing_type(thing_type) is None:
            raise fields["type"].error(f"unknown thing type {thing_type!r}")
        attributes = fields["attributes"].text_map() if "attributes" in fields else {}
        with _at(entry):
            if self.world.thing(name) is not None:
                raise fields["name"].error(f"duplicate thing {name!r}")
            self.world.create_thing(
                thingName=name, thingTypeName=thing_type, attributePayload={"attributes": attributes}
            )
        for item in fields["groups"].items() if "groups" in fields else []:
            group = item.text()
            if self.world.thing_group(group) is None:
                raise item.error(f"unknown thing group {group!r}")
            with _at(item):
                self.world.add_thing_to_thing_group(thingGroupName=group, thingName=name)
        for item in fields["principals"].items() if "principals" in fields else []:
            self._thing_principal(name, item)

    def _thing_principal(self, thing: str, item: Field) -> None:
        exclusive = False
        if item.is_string():
            principal = self._certificate_arn(item)
        else:
            parts = item.mapping(schema.PRINCIPAL_KEYS)
            kinds = [k for k in ("certificate", "cognito_identity") if k in parts]
            if len(kinds) != 1:
                raise (parts[kinds[1]] if kinds else item).error(
                    "a principal names exactly one of 'certificate' or 'cognito_identity'"
                )
            if kinds[0] == "certificate":
                principal = self._certificate_arn(parts["certificate"])
            else:
                principal = self._cognito_id(parts["cognito_identity"])
            exclusive = parts["exclusive"].boolean() if "exclusive" in parts else False
        with _at(item):
            self.world.attach_thing_principal(
                thingName=thing,
                principal=principal,
                thingPrincipalType="EXCLUSIVE_THING" if exclusive else "NON_EXCLUSIVE_THING",
            )

    def _pool(self, entry: Field) -> None:
        fields = entry.mapping(schema.POOL_KEYS, required=("id",))
        roles: dict[str, dict[str, Any]] = {}
        for key in ("authenticated_policies", "unauthenticated_policies"):
            if key not in fields:
                continue
            roles[key] = {}
            for name, where in fields[key].entries():
                document = self._document(where)
                with _at(where):  # checked one by one so an error names its policy; the pool checks again
                    check_policy_name(name)
                    compile_document(document, dialect="iam", max_chars=IAM_POLICY_MAX_CHARS)
                roles[key][name] = document
        with _at(fields["id"]):
            self.world.create_cognito_identity_pool(
                identityPoolId=fields["id"].text(),
                authenticatedPolicies=roles.get("authenticated_policies"),
                unauthenticatedPolicies=roles.get("unauthenticated_policies"),
            )

    # ------------------------------------------------------------------------ functions, authorizers

    def _function(self, entry: Field) -> None:
        fields = entry.mapping(schema.FUNCTION_KEYS, required=("name", "handler"))
        code_dir: Path | None = None
        if "code_dir" in fields:
            code_dir = self._path(fields["code_dir"])
            if not code_dir.is_dir():
                raise fields["code_dir"].error(f"no such directory: {code_dir}")
            self._check_inside(fields["code_dir"], code_dir, "code directory")
        handler = fields["handler"].text()
        try:
            kind, target, attribute = split_reference(handler)
        except HandlerReferenceError as exc:
            raise fields["handler"].error(str(exc)) from None
        if kind == "file":
            # Relative to the code directory, as Lambda reads it; without one, to the world file.
            handler_file = ((code_dir or self.base_dir) / Path(target).expanduser()).resolve()
            if not handler_file.is_file():
                raise fields["handler"].error(f"no such handler file: {handler_file}")
            self._check_inside(fields["handler"], handler_file, "handler file")
            if code_dir is None:
                handler = f"{handler_file}:{attribute}"
        runtime = fields["runtime"].text() if "runtime" in fields else "auto"
        if runtime not in RUNTIMES:
            raise fields["runtime"].error(f"expected one of {', '.join(RUNTIMES)}, not {runtime!r}")
        options: dict[str, Any] = {"runtime": runtime, "code_dir": code_dir}
        if "environment" in fields:
            options["environment"] = fields["environment"].text_map()
        if "memory_mb" in fields:
            options["memory_mb"] = fields["memory_mb"].integer()
        if "timeout" in fields:
            options["timeout"] = fields["timeout"].number()
        name = fields["name"].text()
        try:
            arn = self.world.register_function(name, handler, **options)
        except ValueError as exc:
            culprit = next((f for key, f in fields.items() if str(exc).startswith(key)), None)
            raise (culprit or fields["name"]).error(str(exc)) from None
        if arn in self.functions.values():
            raise fields["name"].error(f"duplicate function {name!r} ({arn})")
        self.functions[name] = arn

    def _check_inside(self, where: Field, path: Path, what: str) -> None:
        """Refuse handler code outside the world file's directory unless the caller allowed it."""
        if self.allow_external_handlers or path.is_relative_to(self.base_dir):
            return
        raise where.error(
            f"the {what} {path} is outside the world file's directory {self.base_dir}; a world file is "
            "trusted like code, and handler code outside its directory runs only when the caller allows "
            f"it ({ALLOW_EXTERNAL_HINT})"
        )

    def _function_arn(self, where: Field) -> str:
        """A function by its name or ARN; an ARN not in the file is kept, with no local stand-in."""
        reference = where.text()
        if parse_lambda_arn(reference) is not None:
            return reference  # as written, so a version or alias qualifier stays
        try:
            return self.world.resolve_function(reference).arn
        except ServiceError:
            raise where.error(
                f"unknown function {reference!r}; functions in this file: {_choices(self.functions)} "
                "(or give a Lambda function ARN)"
            ) from None

    def _authorizer(self, entry: Field, default: Field | None) -> Field | None:
        fields = entry.mapping(schema.AUTHORIZER_KEYS, required=("name", "function"))
        name = fields["name"].text()
        function_arn = self._function_arn(fields["function"])
        keys: dict[str, str] = {}
        key_fields: dict[str, Field] = {}
        if "signing_public_keys" in fields:
            for key, value in fields["signing_public_keys"].entries():
                keys[key], key_fields[key] = value.text(), value
        if "signing_public_key_files" in fields:
            for key, value in fields["signing_public_key_files"].entries():
                if key in keys:
                    raise value.error(f"key {key!r} is also in signing_public_keys")
                keys[key], key_fields[key] = self._read(value), value
        arguments: dict[str, Any] = {
            "authorizerName": name,
            "authorizerFunctionArn": function_arn,
            "tokenSigningPublicKeys": keys,
        }
        if "token_key_name" in fields:
            arguments["tokenKeyName"] = fields["token_key_name"].text()
        if "status" in fields:
            arguments["status"] = fields["status"].text()
        if "signing_disabled" in fields:
            arguments["signingDisabled"] = fields["signing_disabled"].boolean()
        if "enable_caching_for_http" in fields:
            arguments["enableCachingForHttp"] = fields["enable_caching_for_http"].boolean()
        try:
            self.world.create_authorizer(**arguments)
        except ServiceError as exc:
            raise self._authorizer_culprit(exc.message, entry, fields, key_fields).error(str(exc)) from None
        if "default" in fields and fields["default"].boolean():
            if default is not None:
                raise fields["default"].error(
                    f"only one authorizer can be the default; {default.path} already is (line {default.line})"
                )
            with _at(fields["default"]):
                self.world.set_default_authorizer(authorizerName=name)
            return fields["default"]
        return default

    @staticmethod
    def _authorizer_culprit(
        message: str, entry: Field, fields: dict[str, Field], key_fields: dict[str, Field]
    ) -> Field:
        """The field an authorizer's error is about, from the request member its message names."""
        for key, where in key_fields.items():
            if f"key name {key}" in message or f"tokenSigningPublicKeys.{key}" in message:
                return where
        members = {
            "authorizerName": "name",
            "already exists": "name",
            "authorizerFunctionArn": "function",
            "tokenKeyName": "token_key_name",
            "at 'status'": "status",
        }
        for marker, key in members.items():
            if marker in message and key in fields:
                return fields[key]
        return entry
