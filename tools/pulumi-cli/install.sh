#!/usr/bin/env bash
# Builds the real Pulumi CLI from Pulumi's Go modules, for the CLI suite, the demo and the
# benchmark: `pulumi` and the Node.js language host `pulumi-language-nodejs`, with
# `pulumi-resource-pulumi-nodejs` (the dynamic-provider launcher that @pulumi/pulumi ships)
# beside them, in one folder where the CLI finds its bundled plugins.
#
# The versions are pinned by the two wrapper modules beside this script (go.mod + go.sum):
#   cli/          requires github.com/pulumi/pulumi/pkg/v3 and sdk/v3 at v3.276.0
#   nodejs-host/  requires github.com/pulumi/pulumi/sdk/v3 at v3.68.0 (see below)
# Wrapper modules, because `go install module@version` refuses pkg/v3: its go.mod has
# `replace` lines (a wrapper's dependencies' replaces are ignored). The flags are the ones
# Pulumi's release builds use; the version ldflag makes the CLI report v3.276.0 instead of a
# dev build.
#
# The Node.js language host: since May 2023 it is its own module,
# github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, with no tags; the Go
# module proxy these machines reach answers 403 "This module version is not available" to
# every request for it (@v/list, and the pseudo-version of the commit behind pkg/v3.259.0,
# v3.0.0-20260820084410-a05d88f24d05). v3.68.0 is the last release in which the host was part
# of the tagged sdk/v3 module, which the proxy serves. It speaks the same LanguageRuntime
# protocol (the CLI falls back where a newer call is unimplemented) and runs the program with
# the @pulumi/pulumi the program installed, so the engine, the plugins and the SDK are the
# current ones. docs/architecture.md says what this means for what the suite proves.
#
# Output goes to a cache folder outside the repository (git never sees it), keyed by the
# wrapper modules' content, reused when present: $ONTAP_ISCSI_PULUMI_CACHE, or
# ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-ontap-iscsi/pulumi-cli.
#
# Usage: tools/pulumi-cli/install.sh [--print-dir] [--cached]
#   Prints what it does on stderr; with --print-dir, the bin folder alone on stdout.
#   --cached: never build; exit 3 when this pin is not in the cache.
set -euo pipefail

PULUMI_VERSION=v3.276.0
HOST_SDK_VERSION=v3.68.0

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
say() { echo "pulumi-cli: $*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}

print_dir=false
cached_only=false
for arg in "$@"; do
  case "$arg" in
  --print-dir) print_dir=true ;;
  --cached) cached_only=true ;;
  *) fail "usage: $0 [--print-dir] [--cached]" ;;
  esac
done

$cached_only || command -v go >/dev/null || fail "no 'go' on PATH: the CLI is built from Pulumi's Go modules (Go >= 1.26.6)"

key=$(cat "$here/cli/go.mod" "$here/cli/go.sum" "$here/nodejs-host/go.mod" "$here/nodejs-host/go.sum" "$0" | sha256sum | cut -c1-12)
cache=${ONTAP_ISCSI_PULUMI_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pulumi-ontap-iscsi/pulumi-cli}
bin="$cache/$PULUMI_VERSION-$key/bin"

launcher_src="$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

if [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ] && [ -x "$bin/pulumi-resource-pulumi-nodejs" ]; then
  say "reusing $bin"
elif $cached_only; then
  say "no build of $PULUMI_VERSION in $cache"
  exit 3
else
  [ -f "$launcher_src" ] || fail "no $launcher_src: run npm ci first"
  started=$SECONDS
  partial="$bin.partial.$$"
  rm -rf "$partial"
  mkdir -p "$partial"
  build() { # build <wrapper dir> <version for the ldflag>
    say "building $(basename "$1") (go $(go env GOVERSION), GOMODCACHE $(go env GOMODCACHE))"
    (cd "$1" && CGO_ENABLED=0 GOBIN="$partial" GOFLAGS=-mod=readonly go install -trimpath \
      -tags osusergo,grpcnotrace \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$2" tool) ||
      fail "go install in $1 failed (see go's error above; a 403/404 from the module proxy names the module it refused)"
  }
  build "$here/cli" "$PULUMI_VERSION"
  build "$here/nodejs-host" "$HOST_SDK_VERSION"
  install -m 0755 "$launcher_src" "$partial/pulumi-resource-pulumi-nodejs"
  rm -rf "$bin"
  mv -T "$partial" "$bin"
  # Builds of other pins are stale: keep one (188 MB) per cache.
  for old in "$cache"/v*; do
    [ "$old" = "$cache/$PULUMI_VERSION-$key" ] || [[ "$old" == *.partial.* ]] || rm -rf "$old"
  done
  say "built into $bin in $((SECONDS - started)) s ($(du -sh "$bin" | cut -f1))"
fi

got=$("$bin/pulumi" version) || fail "$bin/pulumi does not run"
[ "$got" = "$PULUMI_VERSION" ] || fail "$bin/pulumi reports $got, not $PULUMI_VERSION"
if $print_dir; then echo "$bin"; else say "pulumi $got in $bin"; fi
