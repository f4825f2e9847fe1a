"""Nested stacks (``AWS::CloudFormation::Stack``) whose template is on disk, as ``cdk synth`` leaves them.

The nested template is found through the resource's ``aws:asset:path`` metadata (CDK) or a
``TemplateURL`` that is a local path; it is loaded into the same world with the parameters the parent
passes, and its Outputs answer the parent's ``Fn::GetAtt Nested.Outputs.Name``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from boto_iotauth_local.sources.cloudformation import reader
from boto_iotauth_local.sources.cloudformation.template import Built, Properties, Stack


def nested_stack(stack: Stack, logical_id: str, props: Properties) -> Built:
    from boto_iotauth_local.sources.cloudformation.resources import BUILDERS, PHASES

    base = stack.path.resolve().parent
    metadata = stack.resources[logical_id].get("Metadata", {})
    asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
    url = props.text("TemplateURL")
    candidate: Path | None = None
    if isinstance(asset, str):
        candidate = base / asset
    elif url is not None and "://" not in url:
        candidate = base / url
    if candidate is None or not candidate.is_file():
        props.fail(
            "TemplateURL",
            f"the nested stack's template is not on this machine ({candidate or url}); "
            "load it on its own, or give its local path as TemplateURL",
        )
    given = {k: v for k, v in stack.given.items()}
    for key, value in props.mapping("Parameters").items():
        given[key] = value
    text = reader.read_text(candidate)
    child = Stack(
        reader.parse(candidate, text),
        stack.shared,
        stack_name=stack.generated_name(logical_id),
        parameters=given,
        label_prefix=f"{stack.label(logical_id)}/",
        builders=BUILDERS,
        phases=PHASES,
    )
    child.load()
    outputs: dict[str, Any] = {}
    for name, output in child.template.get("Outputs", {}).items():
        if not isinstance(output, dict) or "Value" not in output:
            child.fail(("Outputs", name), "an output needs a Value")
        if "Condition" in output and not child.condition(output["Condition"], ("Outputs", name)):
            continue
        outputs[f"Outputs.{name}"] = _LazyOutput(child, name, output["Value"])
    stack_id = child.pseudo("AWS::StackId")
    return Built(stack_id, _Outputs(outputs))


class _LazyOutput:
    """An output evaluated only when read (it may name resources this library does not model)."""

    def __init__(self, stack: Stack, name: str, value: Any) -> None:
        self.stack, self.name, self.value = stack, name, value

    def resolve(self) -> Any:
        return self.stack.evaluator.resolve(self.value, ("Outputs", self.name, "Value"))


class _Outputs(dict):  # type: ignore[type-arg]
    """Attributes whose values are computed on first read."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, _LazyOutput):
            value = value.resolve()
            super().__setitem__(key, value)
        return value
