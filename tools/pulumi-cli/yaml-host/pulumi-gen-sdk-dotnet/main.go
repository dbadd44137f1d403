// Command pulumi-gen-sdk-dotnet generates the .NET SDK of a Pulumi package schema with the C#
// code generator of github.com/pulumi/pulumi/pkg/v3 v3.206.0 (the pkg version the YAML host
// pins), in process.
//
// From pkg/v3 v3.2xx on, .NET code generation lives in pulumi/pulumi-dotnet, whose host module
// the module proxy these machines reach refuses; v3.206.0 still carries codegen/dotnet. No .NET
// SDK is on these machines: the output is generated and committed, not built or run here.
//
// Usage: pulumi-gen-sdk-dotnet <schema.json> [--out ./sdk]   (writes <out>/dotnet)
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/blang/semver"

	dotnetgen "github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noLoader resolves no external package: the schema must be self-contained.
type noLoader struct{}

var errNoRefs = errors.New("pulumi-gen-sdk-dotnet: the schema refers to another package; use a self-contained schema")

func (noLoader) LoadPackage(string, *semver.Version) (*schema.Package, error) { return nil, errNoRefs }
func (noLoader) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoRefs
}

// The generator downloads the package's logo (the schema's logoUrl, else Pulumi's from GitHub)
// with http.Get; these machines reach no such host. It gets a 1x1 transparent PNG instead, and
// no request leaves the process.
var logoPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

type offlineLogo struct{}

func (offlineLogo) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"image/png"}},
		Body: io.NopCloser(bytes.NewReader(logoPNG)), Request: r,
	}, nil
}

func main() {
	http.DefaultTransport = offlineLogo{}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run() error {
	fs := flag.NewFlagSet("pulumi-gen-sdk-dotnet", flag.ContinueOnError)
	out := fs.String("out", "./sdk", "the directory to write dotnet/ into")
	args := os.Args[1:]
	var source string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		source, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if source == "" {
		return errors.New("usage: pulumi-gen-sdk-dotnet <schema.json> [--out dir]")
	}
	data, err := os.ReadFile(source)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	for _, d := range diags {
		fmt.Fprintln(os.Stderr, d.Error())
	}
	if diags.HasErrors() {
		return errors.New("the schema has errors")
	}
	files, err := dotnetgen.GeneratePackage("pulumi-language-dotnet", pkg, nil, nil)
	if err != nil {
		return err
	}
	dir := filepath.Join(*out, "dotnet")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "SDK has been written to %s\n", dir)
	return nil
}
