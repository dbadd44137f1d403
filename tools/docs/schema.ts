/**
 * `node dist/tools/docs/schema.js [--check]`: writes the plugin's `schema.json` (from
 * provider/plugin/schema.ts, at the package's version) and the docs' tables generated from
 * that schema: the resource's inputs and outputs (docs/iscsi-service.md) and the provider's
 * configuration (docs/plugin.md). One source of truth: the field table and the connection
 * settings' table, through the schema. `--check` writes nothing and exits 1 when any is stale
 * (test/docs/schema.test.ts does the same in the test suite).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ISCSI_SERVICE, packageSchema } from "../../provider/plugin/schema";
import { flagValues, readCommandLine } from "../command-line";
import { repoRoot } from "../paths";
import { cell, docsDir, replaceBlock, table } from "./markdown";

/** @internal test-only */
export const SCHEMA_COMMAND = "npm run schema";
/** @internal test-only */
export const SCHEMA_FILE = join(repoRoot, "schema.json");

type Property = {
  type?: string;
  $ref?: string;
  description?: string;
  default?: unknown;
  secret?: boolean;
  defaultInfo?: { environment: string[] };
};
type Schema = {
  resources: Record<
    string,
    { inputProperties: Record<string, Property>; properties: Record<string, Property>; required: string[] }
  >;
  config: { variables: Record<string, Property> };
};

/** The package's version (the schema's). */
function version(): string {
  return (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
}

function typeOf(p: Property): string {
  if (p.$ref) return p.$ref.replace(/^#\/types\/ontap:index:/, "");
  return p.type ?? "";
}

/** The generated files: path → content. */
export function generated(): Record<string, string> {
  const schema = packageSchema(version());
  const typed = schema as unknown as Schema;
  const service = typed.resources[ISCSI_SERVICE];
  const inputs = table(
    ["input", "type", "default", "description"],
    Object.entries(service.inputProperties).map(([name, p]) => [
      `\`${name}\``,
      typeOf(p),
      p.default === undefined ? "—" : `\`${JSON.stringify(p.default)}\``,
      cell(p.description ?? ""),
    ]),
  );
  const outputs = table(
    ["output", "type", "always set", "description"],
    Object.entries(service.properties).map(([name, p]) => [
      `\`${name}\``,
      typeOf(p),
      service.required.includes(name) ? "yes" : "when set",
      cell(p.description ?? ""),
    ]),
  );
  const config = table(
    ["setting", "type", "environment", "description"],
    Object.entries(typed.config.variables).map(([name, p]) => [
      `\`ontap:${name}\`${p.secret ? " (secret)" : ""}`,
      typeOf(p),
      p.defaultInfo ? p.defaultInfo.environment.map((e) => `\`${e}\``).join(", ") : "—",
      cell(p.description ?? ""),
    ]),
  );
  const servicePage = join(docsDir, "iscsi-service.md");
  const pluginPage = join(docsDir, "plugin.md");
  let service_ = readFileSync(servicePage, "utf8");
  service_ = replaceBlock(service_, "schema-inputs", SCHEMA_COMMAND, inputs);
  service_ = replaceBlock(service_, "schema-outputs", SCHEMA_COMMAND, outputs);
  const plugin = replaceBlock(readFileSync(pluginPage, "utf8"), "schema-config", SCHEMA_COMMAND, config);
  return {
    [SCHEMA_FILE]: `${JSON.stringify(schema, null, 2)}\n`,
    [servicePage]: service_,
    [pluginPage]: plugin,
  };
}

const USAGE = [
  "usage: schema [--check]",
  "",
  "  (no flag)   write schema.json and the docs' tables generated from it",
  "  --check     write nothing; exit 1 when any of them is stale",
  "  --help      this text",
].join("\n");

const FLAGS = { check: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const;

function main(argv: string[]): number {
  const line = readCommandLine(argv, flagValues(FLAGS), USAGE);
  if ("exitCode" in line) return line.exitCode;
  const files = generated();
  const stale = Object.entries(files).filter(([path, text]) => {
    try {
      return readFileSync(path, "utf8") !== text;
    } catch {
      return true;
    }
  });
  if (line.options.check) {
    for (const [path] of stale) process.stderr.write(`${path} is stale: run ${SCHEMA_COMMAND}\n`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const [path, text] of stale) writeFileSync(path, text);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
