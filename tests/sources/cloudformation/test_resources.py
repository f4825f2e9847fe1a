"""Resource builders beyond the basics: inline Lambda code, SAM, Cognito, groups, nested stacks."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import boto3
import pytest

from boto_iotauth_local import World, activate, explain_authorization
from boto_iotauth_local.sources.cloudformation import PartialLoadWarning, TemplateError

ARN = "arn:aws:iot:us-east-1:123456789012"
HANDLER = """
def handler(event, context):
    ok = event.get("token") == "open-sesame"
    return {"isAuthenticated": ok, "principalId": "p1", "refreshAfterInSeconds": 300,
            "disconnectAfterInSeconds": 300, "policyDocuments": []}
"""


def write(tmp_path: Path, text: str, name: str = "stack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def invoke(world: World, authorizer: str, token: str) -> bool:
    with activate(world):
        iot = boto3.client("iot", region_name="us-east-1")
        return bool(iot.test_invoke_authorizer(authorizerName=authorizer, token=token)["isAuthenticated"])


def test_inline_lambda_and_sam_inline_code_run_for_their_authorizers(tmp_path: Path) -> None:
    code = textwrap.indent(HANDLER.strip(), " " * 14)
    template = f"""
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Code:
            ZipFile: |
{code}
      SamFn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: |
{code}
      Auth:
        Type: AWS::IoT::Authorizer
        Properties:
          AuthorizerName: inline
          AuthorizerFunctionArn: !GetAtt Fn.Arn
          SigningDisabled: true
      SamAuth:
        Type: AWS::IoT::Authorizer
        Properties:
          AuthorizerName: sam-inline
          AuthorizerFunctionArn: !GetAtt SamFn.Arn
          SigningDisabled: true
      Domain:
        Type: AWS::IoT::DomainConfiguration
        Properties:
          AuthorizerConfig: {{DefaultAuthorizerName: !Ref SamAuth}}
    """
    world = World.from_file(write(tmp_path, template))
    assert invoke(world, "inline", "open-sesame") and not invoke(world, "inline", "nope")
    assert invoke(world, "sam-inline", "open-sesame")
    default = world.default_authorizer()
    assert default is not None and default.name == "sam-inline"


def test_a_function_in_another_runtime_is_reported_and_keeps_its_arn(tmp_path: Path) -> None:
    template = """
    Resources:
      Fn:
        Type: AWS::Lambda::Function
        Properties: {FunctionName: node-auth, Runtime: nodejs20.x, Handler: index.handler,
                     Code: {ZipFile: "exports.handler = async () => ({})"}}
      Auth:
        Type: AWS::IoT::Authorizer
        Properties: {AuthorizerName: node, AuthorizerFunctionArn: !GetAtt Fn.Arn, SigningDisabled: true}
    """
    with pytest.warns(
        PartialLoadWarning, match=r"function Fn \(node-auth\): runtime nodejs20.x is not run here"
    ):
        world = World.from_file(write(tmp_path, template))
    described = world.describe_authorizer(authorizerName="node")["authorizerDescription"]
    assert described["authorizerFunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:node-auth"


def test_cognito_pool_roles_and_policies_gate_test_authorization(tmp_path: Path) -> None:
    template = """
    Resources:
      Pool:
        Type: AWS::Cognito::IdentityPool
        Properties: {AllowUnauthenticatedIdentities: true}
      Guest:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument: {Statement: []}
          Policies:
            - PolicyName: connect
              PolicyDocument:
                Version: "2012-10-17"
                Statement: [{Effect: Allow, Action: iot:Connect, Resource: "*"}]
          ManagedPolicyArns: [arn:aws:iam::aws:policy/AWSIoTDataAccess]
      Extra:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: publish
          Roles: [!Ref Guest]
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: iot:Publish, Resource: "*"}]
      Roles:
        Type: AWS::Cognito::IdentityPoolRoleAttachment
        Properties:
          IdentityPoolId: !Ref Pool
          Roles: {unauthenticated: !GetAtt Guest.Arn}
    """
    with pytest.warns(PartialLoadWarning, match="AWSIoTDataAccess"):
        world = World.from_file(write(tmp_path, template, "Dash.yaml"))
    from boto_iotauth_local.sources.cloudformation import names

    pool = world.cognito_pool(f"us-east-1:{names.generated_uuid('Dash', 'Pool')}")
    assert pool is not None
    assert sorted(p.name for p in pool.unauthenticated_policies) == ["connect", "publish"]


def test_groups_by_plain_name_in_any_order_and_a_nested_stack_from_a_local_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
        Parameters:
          Prefix: {Type: String}
        Resources:
          Policy:
            Type: AWS::IoT::Policy
            Properties:
              PolicyName: !Sub "${Prefix}-child"
              PolicyDocument: {Statement: [{Effect: Allow, Action: iot:Connect, Resource: "*"}]}
        Outputs:
          Name: {Value: !Ref Policy}
        """,
        "child.yaml",
    )
    template = """
    Resources:
      Child:
        Type: AWS::IoT::ThingGroup
        Properties: {ThingGroupName: child, ParentGroupName: parent}
      Parent:
        Type: AWS::IoT::ThingGroup
        Properties: {ThingGroupName: parent}
      Nested:
        Type: AWS::CloudFormation::Stack
        Properties: {TemplateURL: child.yaml, Parameters: {Prefix: fleet}}
      Attach:
        Type: AWS::IoT::PolicyPrincipalAttachment
        Properties: {PolicyName: !GetAtt Nested.Outputs.Name, Principal: !GetAtt Parent.Arn}
    """
    world = World.from_file(write(tmp_path, template))
    assert world.group_ancestry("child") == ("child", "parent")
    assert world.policies_for_target(world.thing_group_arn("parent")) == ("fleet-child",)
    result = explain_authorization(world, "CONNECT", f"{ARN}:client/c", policy_names_to_add=["fleet-child"])
    assert result.auth_decision == "ALLOWED"


def test_a_nested_stack_whose_template_is_not_here_is_an_error(tmp_path: Path) -> None:
    template = """
    Resources:
      Nested:
        Type: AWS::CloudFormation::Stack
        Properties: {TemplateURL: "https://s3.amazonaws.com/bucket/child.yaml"}
    """
    with pytest.raises(TemplateError, match="nested stack's template is not on this machine") as caught:
        World.from_file(write(tmp_path, template))
    assert (caught.value.logical_id, caught.value.property) == ("Nested", "Properties.TemplateURL")


def test_conditions_decide_which_resources_exist(tmp_path: Path) -> None:
    template = """
    Parameters:
      Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
    Conditions:
      IsProd: !Equals [!Ref Stage, prod]
      NotProd: !Not [!Condition IsProd]
    Resources:
      ProdThing:
        Type: AWS::IoT::Thing
        Condition: IsProd
        Properties: {ThingName: prod-thing}
      DevThing:
        Type: AWS::IoT::Thing
        Condition: NotProd
        Properties: {ThingName: !If [IsProd, never, dev-thing]}
    """
    path = write(tmp_path, template)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dev = World.from_file(path)
    assert [t["thingName"] for t in dev.list_things()["things"]] == ["dev-thing"]
    prod = World.from_file(path, parameters={"Stage": "prod"})
    assert [t["thingName"] for t in prod.list_things()["things"]] == ["prod-thing"]
