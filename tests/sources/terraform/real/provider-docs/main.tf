# This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0. If a copy of the MPL
# was not distributed with this file, You can obtain one at https://mozilla.org/MPL/2.0/.
#
# The resources below are the "Example Usage" blocks of the Terraform AWS provider's documentation pages
# for aws_iot_policy_attachment, aws_iot_thing_principal_attachment, aws_iot_thing, aws_iot_thing_group
# and aws_iot_thing_group_membership (hashicorp/terraform-provider-aws, website/docs/r/), put together in
# one configuration. PROVENANCE.md lists each page and every change made to its example.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

# Not from the documentation: lets `terraform plan` run with no AWS account and no network (plan.sh).
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "plan-only"
  secret_key                  = "plan-only"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

# -- iot_policy_attachment.html.markdown -----------------------------------------------------------------

data "aws_iam_policy_document" "pubsub" {
  statement {
    effect    = "Allow"
    actions   = ["iot:*"]
    resources = ["*"]
  }
}

resource "aws_iot_policy" "pubsub" {
  name   = "PubSubToAnyTopic"
  policy = data.aws_iam_policy_document.pubsub.json
}

resource "aws_iot_certificate" "cert" {
  csr    = file("csr.pem")
  active = true
}

resource "aws_iot_policy_attachment" "att" {
  policy = aws_iot_policy.pubsub.name
  target = aws_iot_certificate.cert.arn
}

# -- iot_thing.html.markdown -----------------------------------------------------------------------------

resource "aws_iot_thing" "example" {
  name = "example"

  attributes = {
    First = "examplevalue"
  }
}

# -- iot_thing_principal_attachment.html.markdown (its certificate is the one above) ---------------------

resource "aws_iot_thing_principal_attachment" "thing_att" {
  principal = aws_iot_certificate.cert.arn
  thing     = aws_iot_thing.example.name
}

# -- iot_thing_group.html.markdown -----------------------------------------------------------------------

resource "aws_iot_thing_group" "group" {
  name = "thing_group"

  properties {
    description = "test description"
    attribute_payload {
      attributes = {
        "attr1" : "val1",
        "attr2" : "val2",
      }
    }
  }
}

# -- iot_thing_group_membership.html.markdown (its thing and group are the ones above) -------------------

resource "aws_iot_thing_group_membership" "example" {
  thing_name       = aws_iot_thing.example.name
  thing_group_name = aws_iot_thing_group.group.name

  override_dynamic_group = true
}
