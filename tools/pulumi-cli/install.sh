#!/usr/bin/env bash
# Builds the real Pulumi CLI from Pulumi's Go modules, for the CLI suite, the demo and the
# benchmark: `pulumi`, the language hosts `pulumi-language-{nodejs,python,go,yaml}` (with
# `pulumi-language-python-exec`, the script the Python host runs programs through),
# `pulumi-gen-sdk` (SDK generation, see below) and `pulumi-resource-pulumi-nodejs` (the
# dynamic-provider launcher that @pulumi/pulumi ships), in one folder where the CLI finds its
# bundled plugins.
#
# The versions are pinned by the wrapper modules beside this script (go.mod + go.sum):
#   cli/          github.com/pulumi/pulumi/pkg/v3 and sdk/v3 v3.276.0; also builds cli/pulumi-gen-sdk
#   nodejs-host/  github.com/pulumi/pulumi/sdk/v3 v3.68.0  (pulumi-language-nodejs)
#   python-host/  github.com/pulumi/pulumi/sdk/v3 v3.79.0  (pulumi-language-python + -exec script)
#   go-host/      github.com/pulumi/pulumi/sdk/v3 v3.66.0  (pulumi-language-go)
#   yaml-host/    github.com/pulumi/pulumi-yaml v1.25.0 with pkg/v3, sdk/v3 v3.206.0 (its own pins);
#                 also builds yaml-host/pulumi-gen-sdk-dotnet
# Wrapper modules, because `go install module@version` refuses pkg/v3: its go.mod has
# `replace` lines (a wrapper's dependencies' replaces are ignored). The flags are the ones
# Pulumi's release builds use; the version ldflag makes the CLI report v3.276.0 instead of a
# dev build.
#
# The language hosts: since 2023 each is its own module inside pulumi/pulumi
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3,
# .../sdk/python/cmd/pulumi-language-python/v3, .../sdk/go/pulumi-language-go/v3), with no tags;
# the Go module proxy these machines reach answers 403 "This module version is not available" to
# every request for them (@v/list, and the pseudo-version of the commit behind pkg/v3.259.0,
# v3.0.0-20260820084410-a05d88f24d05). So each comes from the last release of the tagged sdk/v3
# module that still contained it, which the proxy serves: Node.js v3.68.0, Python v3.79.0, Go
# v3.66.0. They speak the same LanguageRuntime protocol (the CLI falls back where a newer call is
# unimplemented) and run the program with the SDK the program installed (@pulumi/pulumi, the
# `pulumi` Python package, sdk/v3 in the program's go.mod), so the engine, the plugins and the SDK
# are the current ones. docs/architecture.md says what this means for what the suite proves.
# Known gaps of these old hosts under CLI 3.276:
# - Python: the CLI no longer passes Pulumi.yaml's `runtime.options.virtualenv` as the
#   `-virtualenv` flag this host reads, so the option is ignored: point the host at the venv with
#   PULUMI_PYTHON_CMD=<venv>/bin/python (or put <venv>/bin first on PATH). Checked with the
#   `pulumi` package 3.272.0 from PyPI (3.276.0 is not served there).
# - Go: the host runs `go build` on the program (Go on PATH); a program requiring sdk/v3 v3.276.0
#   compiles in about 4-5 minutes with a cold Go build cache on 2 cores, seconds after that.
#   The runtime options `binary` and `buildTarget` are flags to this host, which the CLI no
#   longer passes (it passes the engine address only): they are ignored, like `virtualenv`.
# - `pulumi package gen-sdk` asks the language host (GeneratePackage); the Node.js, Python and Go
#   hosts above predate that call ("method GeneratePackage not implemented"). pulumi-gen-sdk
#   (cli/pulumi-gen-sdk) runs the same generators of pkg/v3 v3.276.0 in process:
#   `pulumi-gen-sdk <schema.json> --language nodejs|python|go --out <dir>` (self-contained schemas
#   only). YAML needs no SDK. .NET has no host here (the proxy refuses pulumi-dotnet's host too)
#   and pkg/v3 v3.276.0 no longer carries its generator: yaml-host/pulumi-gen-sdk-dotnet runs
#   pkg/v3 v3.206.0's (`pulumi-gen-sdk-dotnet <schema.json> --out <dir>`), offline (it answers
#   the generator's logo download itself). No .NET SDK runs here: that SDK is generated, not built.
# - YAML: pulumi-yaml v1.25.0 (the newest the proxy serves) does not compile against pkg/v3
#   v3.276.0 (plugin API changed), so it keeps its own pins, pkg/sdk v3.206.0.
#
# Cost on this kind of machine (2 cores, Go 1.26.8, module cache already holding the modules):
# from an empty Go build cache the whole build took 516 s for 282 MB before pulumi-gen-sdk:
# cli 304 s, nodejs-host 49 s, python-host 29 s, go-host 16 s, yaml-host 118 s. The Python, Go
# and YAML hosts add 163 s and 98 MB (27 + 27 + 45 MB); pulumi-gen-sdk about 35 s and 27 MB
# more (bin folder: 308 MB). Downloading their modules into an empty module cache took 24 s and
# 849 MB (partly shared with the CLI's). With warm caches a rebuild takes about a minute.
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
NODEJS_HOST_SDK_VERSION=v3.68.0
PYTHON_HOST_SDK_VERSION=v3.79.0
GO_HOST_SDK_VERSION=v3.66.0
YAML_VERSION=v1.25.0

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

wrappers="cli nodejs-host python-host go-host yaml-host"
key=$(for w in $wrappers; do cat "$here/$w/go.mod" "$here/$w/go.sum"; done |
  cat - "$here/cli/pulumi-gen-sdk/main.go" "$here/yaml-host/pulumi-gen-sdk-dotnet/main.go" "$0" | sha256sum | cut -c1-12)
cache=${ONTAP_ISCSI_PULUMI_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pulumi-ontap-iscsi/pulumi-cli}
bin="$cache/$PULUMI_VERSION-$key/bin"

launcher_src="$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

tools="pulumi pulumi-gen-sdk pulumi-gen-sdk-dotnet pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-language-python pulumi-language-python-exec pulumi-language-go pulumi-language-yaml"
complete() { for t in $tools; do [ -x "$bin/$t" ] || return 1; done; }

if complete; then
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
  version_var=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
  build() { # build <wrapper dir> <-X ldflag: the version the binary reports> [packages, default: tool]
    local t0=$SECONDS
    say "building $(basename "$1") (go $(go env GOVERSION), GOMODCACHE $(go env GOMODCACHE))"
    [ $# -gt 2 ] || set -- "$1" "$2" tool
    (cd "$1" && CGO_ENABLED=0 GOBIN="$partial" GOFLAGS=-mod=readonly go install -trimpath \
      -tags osusergo,grpcnotrace -ldflags "-X $2" "${@:3}") ||
      fail "go install in $1 failed (see go's error above; a 403/404 from the module proxy names the module it refused)"
    say "built $(basename "$1") in $((SECONDS - t0)) s"
  }
  build "$here/cli" "$version_var=$PULUMI_VERSION" tool ./pulumi-gen-sdk
  build "$here/nodejs-host" "$version_var=$NODEJS_HOST_SDK_VERSION"
  build "$here/python-host" "$version_var=$PYTHON_HOST_SDK_VERSION"
  build "$here/go-host" "$version_var=$GO_HOST_SDK_VERSION"
  build "$here/yaml-host" "github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION" tool ./pulumi-gen-sdk-dotnet
  # The Python host runs programs through this script, which it looks for beside itself; it
  # ships in the sdk/v3 module zip (python/cmd/) of the same version.
  sdk_dir=$(cd "$here/python-host" && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3) ||
    fail "cannot locate github.com/pulumi/pulumi/sdk/v3 for python-host in the module cache"
  install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$partial/pulumi-language-python-exec"
  install -m 0755 "$launcher_src" "$partial/pulumi-resource-pulumi-nodejs"
  rm -rf "$bin"
  mv -T "$partial" "$bin"
  # Builds of other pins are stale: keep one (290 MB) per cache.
  for old in "$cache"/v*; do
    [ "$old" = "$cache/$PULUMI_VERSION-$key" ] || [[ "$old" == *.partial.* ]] || rm -rf "$old"
  done
  say "built into $bin in $((SECONDS - started)) s ($(du -sh "$bin" | cut -f1))"
fi

got=$("$bin/pulumi" version) || fail "$bin/pulumi does not run"
[ "$got" = "$PULUMI_VERSION" ] || fail "$bin/pulumi reports $got, not $PULUMI_VERSION"
if $print_dir; then echo "$bin"; else say "pulumi $got in $bin"; fi
