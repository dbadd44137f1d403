#!/usr/bin/env bash
# Generates the provider plugin's SDKs from schema.json into plugin-sdks/<language> (committed):
# Node.js, Python and Go with pulumi-gen-sdk (pkg/v3 v3.276.0's generators), .NET with
# pulumi-gen-sdk-dotnet (pkg/v3 v3.206.0's; untested: no .NET here). `pulumi package gen-sdk`
# would ask the language hosts, which this machine's hosts predate (see install.sh).
# YAML programs need no SDK: the YAML host reads the schema from the plugin.
#
# Usage: tools/pulumi-cli/gen-sdks.sh [--check]
#   --check: write nothing; exit 1 (listing the differences) when plugin-sdks/ is stale.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
check=false
case "${1:-}" in
--check) check=true ;;
"") ;;
*)
  echo "usage: $0 [--check]" >&2
  exit 2
  ;;
esac
bin=$(bash "$here/install.sh" --print-dir)
out=$(mktemp -d "${TMPDIR:-/tmp}/ontap-sdks.XXXXXX")
trap 'rm -rf "$out"' EXIT
for language in nodejs python go; do
  "$bin/pulumi-gen-sdk" "$root/schema.json" --language "$language" --out "$out" 2>/dev/null
done
"$bin/pulumi-gen-sdk-dotnet" "$root/schema.json" --out "$out" 2>/dev/null
if $check; then
  # What `pip install plugin-sdks/python` leaves there is not the SDK.
  if ! diff -r -x build -x "*.egg-info" -x __pycache__ "$out" "$root/plugin-sdks" >&2; then
    echo "plugin-sdks/ is stale: run npm run sdks" >&2
    exit 1
  fi
  exit 0
fi
rm -rf "$root/plugin-sdks"
cp -r "$out" "$root/plugin-sdks"
echo "wrote $root/plugin-sdks ($(ls "$root/plugin-sdks" | tr '\n' ' '))" >&2
