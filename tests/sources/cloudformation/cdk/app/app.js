// A small CDK app whose synthesized cdk.out is a test fixture (regenerate with ../synth.sh).
// It uses what CDK writes for IoT teams: Fn::Join with pseudo parameters, a CSR parameter, asset
// folders for Lambda code, a nested stack, and a Cognito identity pool with its roles.
const path = require("path");
const cdk = require("aws-cdk-lib");
const iot = require("aws-cdk-lib/aws-iot");
const iam = require("aws-cdk-lib/aws-iam");
const lambda = require("aws-cdk-lib/aws-lambda");
const cognito = require("aws-cdk-lib/aws-cognito");

class FleetGroups extends cdk.NestedStack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const group = new iot.CfnThingGroup(this, "Sensors", { thingGroupName: "sensors" });
    const policy = new iot.CfnPolicy(this, "GroupPolicy", {
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Action: "iot:Subscribe",
          Resource: cdk.Fn.sub("arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:topicfilter/cmd/${!iot:Connection.Thing.ThingName}"),
        }],
      },
    });
    this.groupArn = group.attrArn;
    this.policyName = policy.ref;
  }
}

class SensorFleet extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const csr = new cdk.CfnParameter(this, "DeviceCsr", { type: "String" });

    const telemetry = new iot.CfnPolicy(this, "TelemetryPolicy", {
      policyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "iot:Connect",
            Resource: this.formatArn({ service: "iot", resource: "client", resourceName: "${iot:Connection.Thing.ThingName}" }),
          },
          {
            Effect: "Allow",
            Action: "iot:Publish",
            Resource: this.formatArn({ service: "iot", resource: "topic", resourceName: "dt/${iot:Connection.Thing.ThingName}/*" }),
          },
        ],
      },
    });
    const thing = new iot.CfnThing(this, "Sensor", { thingName: "sensor-1" });
    const cert = new iot.CfnCertificate(this, "SensorCert", { certificateSigningRequest: csr.valueAsString, status: "ACTIVE" });
    new iot.CfnPolicyPrincipalAttachment(this, "TelemetryAttachment", { policyName: telemetry.ref, principal: cert.attrArn });
    new iot.CfnThingPrincipalAttachment(this, "SensorAttachment", { thingName: thing.ref, principal: cert.attrArn });

    const groups = new FleetGroups(this, "Groups");
    new iot.CfnPolicyPrincipalAttachment(this, "GroupAttachment", { policyName: groups.policyName, principal: groups.groupArn });

    const fn = new lambda.Function(this, "AuthorizerFunction", {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: "index.handler",
      code: lambda.Code.fromAsset(path.join(__dirname, "authorizer")),
      environment: { ALLOWED_TOKEN: "let-me-in" },
    });
    const authorizer = new iot.CfnAuthorizer(this, "TokenAuthorizer", {
      authorizerFunctionArn: fn.functionArn,
      authorizerName: "fleet-token",
      signingDisabled: true,
      status: "ACTIVE",
    });
    new iot.CfnDomainConfiguration(this, "Domain", {
      domainConfigurationName: "fleet",
      authorizerConfig: { defaultAuthorizerName: authorizer.ref },
    });

    const pool = new cognito.CfnIdentityPool(this, "Dashboard", { allowUnauthenticatedIdentities: true });
    const guest = new iam.Role(this, "GuestRole", {
      assumedBy: new iam.FederatedPrincipal("cognito-identity.amazonaws.com", {}, "sts:AssumeRoleWithWebIdentity"),
    });
    guest.addToPolicy(new iam.PolicyStatement({
      actions: ["iot:Connect", "iot:Subscribe", "iot:Receive"],
      resources: ["*"],
    }));
    new cognito.CfnIdentityPoolRoleAttachment(this, "DashboardRoles", {
      identityPoolId: pool.ref,
      roles: { unauthenticated: guest.roleArn },
    });
  }
}

const app = new cdk.App();
new SensorFleet(app, "SensorFleet");
app.synth();
