# A small fleet: one policy keyed on the thing name, a thing type, a thing group, and sensors made with
# `count`, each with a certificate from CreateKeysAndCertificate, the policy, a thing attachment and the
# group. The log group is a resource the emulator does not model (one warning). Provider 5.100.0 has no
# `thing_principal_type` on the thing attachment: the attachments are non-exclusive.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

# Lets `terraform plan` run with no AWS account and no network (plan.sh).
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "plan-only"
  secret_key                  = "plan-only"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

variable "sensors" {
  type    = number
  default = 2
}

locals {
  arn = "arn:aws:iot:eu-central-1:123456789012"
}

resource "aws_iot_policy" "telemetry" {
  name = "fleet-telemetry"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Action   = "iot:Connect"
        Effect   = "Allow"
        Resource = "${local.arn}:client/$${iot:Connection.Thing.ThingName}"
      },
      {
        Action    = "iot:Publish"
        Effect    = "Allow"
        Resource  = "${local.arn}:topic/fleet/$${iot:Connection.Thing.ThingName}/*"
        Condition = { Bool = { "iot:Connection.Thing.IsAttached" = "true" } }
      },
    ]
  })
}

resource "aws_iot_thing_type" "sensor" {
  name = "sensor"
  properties {
    description           = "temperature sensor"
    searchable_attributes = ["model"]
  }
}

resource "aws_iot_thing_group" "fleet" {
  name = "fleet"
  properties {
    description = "every sensor"
    attribute_payload {
      attributes = { site = "plant-1" }
    }
  }
}

resource "aws_iot_thing" "sensor" {
  count           = var.sensors
  name            = "sensor-${count.index}"
  thing_type_name = aws_iot_thing_type.sensor.name
  attributes      = { model = "t-100" }
}

resource "aws_iot_certificate" "sensor" {
  count  = var.sensors
  active = true
}

resource "aws_iot_policy_attachment" "sensor" {
  count  = var.sensors
  policy = aws_iot_policy.telemetry.name
  target = aws_iot_certificate.sensor[count.index].arn
}

resource "aws_iot_thing_principal_attachment" "sensor" {
  count                = var.sensors
  thing     = aws_iot_thing.sensor[count.index].name
  principal = aws_iot_certificate.sensor[count.index].arn
}

resource "aws_iot_thing_group_membership" "sensor" {
  count            = var.sensors
  thing_name       = aws_iot_thing.sensor[count.index].name
  thing_group_name = aws_iot_thing_group.fleet.name
}

resource "aws_cloudwatch_log_group" "iot" {
  name              = "/aws/iot/fleet"
  retention_in_days = 14
}
