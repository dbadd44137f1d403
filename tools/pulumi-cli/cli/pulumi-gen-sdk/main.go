// Command pulumi-gen-sdk generates a Node.js, Python or Go SDK from a Pulumi package schema with
// the code generators of github.com/pulumi/pulumi/pkg/v3 at the CLI's own version, in process.
//
// `pulumi package gen-sdk` (v3.276) asks the language host for the SDK (LanguageRuntime
// GeneratePackage); the hosts install.sh can build (Node.js from sdk/v3 v3.68, Python v3.79,
// Go v3.66, because the module proxy refuses the current host modules) predate that call and
// answer Unimplemented. Current hosts do exactly what this does: bind the schema, call the
// language's codegen GeneratePackage, write the files. The one difference: a schema that refers to
// another package's types cannot be resolved here (no plugin loader); such a schema fails.
//
// Usage: pulumi-gen-sdk <schema.json> --language nodejs|python|go [--out ./sdk] [--local]
// Writes <out>/<language>, as `pulumi package gen-sdk` does.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noLoader resolves no external package: the schema must be self-contained.
type noLoader struct{}

var errNoRefs = errors.New("pulumi-gen-sdk: the schema refers to another package; use a self-contained schema")

func (noLoader) LoadPackage(string, *semver.Version) (*schema.Package, error) { return nil, errNoRefs }
func (noLoader) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoRefs
}

func (noLoader) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoRefs
}

func (noLoader) LoadPackageReferenceV2(context.Context, *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, errNoRefs
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run() error {
	fs := flag.NewFlagSet("pulumi-gen-sdk", flag.ContinueOnError)
	language := fs.String("language", "", "nodejs, python or go")
	out := fs.String("out", "./sdk", "the directory to write <language>/ into")
	local := fs.Bool("local", false, "generate an SDK for local use (nodejs)")
	// Accept the schema path before or after the flags.
	args := os.Args[1:]
	var source string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		source, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if source == "" && fs.NArg() == 1 {
		source = fs.Arg(0)
	} else if source == "" || fs.NArg() != 0 {
		return errors.New("usage: pulumi-gen-sdk <schema.json> --language nodejs|python|go [--out dir] [--local]")
	}

	data, err := os.ReadFile(source)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	loader := noLoader{}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	for _, d := range diags {
		fmt.Fprintln(os.Stderr, d.Error())
	}
	if diags.HasErrors() {
		return errors.New("the schema has errors")
	}

	tool := "pulumi-language-" + *language
	var files map[string][]byte
	switch *language {
	case "nodejs":
		files, err = nodejsgen.GeneratePackage(tool, pkg, nil, nil, *local, loader)
	case "python":
		files, err = pythongen.GeneratePackage(tool, pkg, nil, loader)
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, nil)
	default:
		return fmt.Errorf("--language must be nodejs, python or go, not %q", *language)
	}
	if err != nil {
		return err
	}

	dir := filepath.Join(*out, *language)
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
