#!/usr/bin/env bash
# Regenerate plan.json in each configuration folder here with the real Terraform, offline:
#   tests/sources/terraform/real/plan.sh [folder ...]
#
# Needs `terraform` and the AWS provider in a filesystem mirror (TF_PLUGIN_MIRROR, default /opt/tf-plugins,
# laid out as registry.terraform.io/hashicorp/aws/<version>/<os_arch>/). Nothing is fetched: providers come
# only from the mirror, the version check is off, the provider skips every credential and account look-up,
# and any HTTP(S) it might still try goes to a closed port on loopback. Without Terraform or the mirror it
# says so and exits 0, leaving the committed plans as they are.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
if ! command -v terraform >/dev/null 2>&1 || [ ! -d "$mirror/registry.terraform.io/hashicorp/aws" ]; then
    echo "plan.sh: terraform or the provider mirror ($mirror) is not here; plans left as committed" >&2
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["*/*/*"]
  }
}
disable_checkpoint = true
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY= AWS_EC2_METADATA_DISABLED=true
export TF_DATA_DIR="$work/data"
folders=("$@")
if [ ${#folders[@]} -eq 0 ]; then
    for found in "$here"/*/main.tf; do folders+=("$(dirname "$found")"); done
fi
for folder in "${folders[@]}"; do
    folder="$(cd "$folder" && pwd)"
    copy="$work/$(basename "$folder")"
    mkdir -p "$copy"
    cp "$folder"/*.tf "$copy"/
    cp "$folder"/*.pem "$copy"/ 2>/dev/null || true
    (
        cd "$copy"
        terraform init -no-color -backend=false >/dev/null
        terraform plan -no-color -refresh=false -lock=false -out=plan.out >/dev/null
        terraform show -no-color -json plan.out | python3 -m json.tool --indent 1 >"$folder/plan.json"
    )
    echo "plan.sh: wrote $folder/plan.json" >&2
done
