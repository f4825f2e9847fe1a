#!/usr/bin/env bash
# Regenerate cdk.out (a committed test fixture) from app/ with the real AWS CDK.
# npm installs aws-cdk-lib, constructs and the aws-cdk CLI once into ~/.cache/boto-iotauth-local/cdk;
# usage: synth.sh [OUTPUT_DIR]   (default: cdk.out beside this script)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/cdk.out}"
cache="${BOTO_IOTAUTH_LOCAL_CACHE:-$HOME/.cache/boto-iotauth-local}/cdk"
mkdir -p "$cache"
if [ ! -x "$cache/node_modules/.bin/cdk" ] || [ ! -d "$cache/node_modules/aws-cdk-lib" ]; then
  [ -f "$cache/package.json" ] || echo '{"name": "iotauth-cdk-cache", "private": true, "version": "0.0.0"}' > "$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --silent aws-cdk-lib@2 constructs@10 aws-cdk@2) >&2
fi
rm -rf "$out"
cd "$here/app"
NODE_PATH="$cache/node_modules" CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true \
  "$cache/node_modules/.bin/cdk" synth --quiet --no-notices --no-version-reporting --no-path-metadata \
  --output "$out" >&2
rm -f "$out/cdk.out" "$out/tree.json" "$out/performance-counters.json"
echo "$out"
