/**
 * The package as an application on the oldest Node of a line it claims would load it
 * (tools/ci/compat.sh runs this under each such Node): every entry point of the installed
 * tarball is required, then the provider creates, reads and deletes a service on the
 * simulator, so that node-fetch (ESM only) is loaded as the provider loads it.
 *
 *   node dist/tools/ci/node-boundary.js <app dir with node_modules/pulumi-ontap-iscsi>
 *
 * Prints one line "node-boundary (node vX, @pulumi/pulumi Y): ok" and exits 0, or prints
 * what failed and exits 1.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as ProviderModule from "../../provider";
import { type CommandLine, parseFlags, readCommandLine } from "../command-line";
import { startSimulator } from "../simulator";

const PACKAGE = "pulumi-ontap-iscsi";

async function main(appDir: string): Promise<void> {
  const appRequire = createRequire(join(appDir, "package.json"));
  const installed = appRequire.resolve(`${PACKAGE}/package.json`);
  if (!installed.startsWith(join(appDir, "node_modules", PACKAGE)))
    throw new Error(`${PACKAGE} resolves to ${installed}, not to the app's node_modules`);
  // Each entry point as an application requires it (loading used to be what failed).
  const sdk = appRequire(PACKAGE) as Record<string, unknown>;
  const host = appRequire(`${PACKAGE}/host`) as Record<string, unknown>;
  const { IscsiServiceProvider } = appRequire(`${PACKAGE}/provider`) as typeof ProviderModule;
  if (typeof sdk.IscsiService !== "function") throw new Error(`${PACKAGE} has no IscsiService`);
  if (typeof host.create !== "function") throw new Error(`${PACKAGE}/host has no create`);
  const pulumiVersion = (appRequire("@pulumi/pulumi/package.json") as { version: string }).version;

  const sim = await startSimulator({ onUnexpected: (line) => process.stderr.write(`simulator: ${line}\n`) });
  try {
    const warnings: string[] = [];
    const provider = new IscsiServiceProvider({
      env: {},
      logger: { debug: () => {}, warn: (m) => warnings.push(m) },
    });
    const config: Record<string, string | undefined> = {
      "ontap:host": sim.host,
      "ontap:username": "admin",
      "ontap:password": "netapp123",
      "ontap:caCert": sim.caCert,
    };
    await provider.configure({ config: { get: (key: string) => config[key] } });
    const checked = await provider.check({}, { svmName: "svm1", targetAlias: "boundary" });
    if (checked.failures?.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
    const created = await provider.create(checked.inputs);
    if (!created.outs) throw new Error("create answered no outputs");
    if (sim.service("svm1")?.alias !== "boundary")
      throw new Error("create left no service with the alias on svm1");
    const read = await provider.read(created.id, created.outs);
    if (read.id !== created.id || read.props?.targetAlias !== "boundary")
      throw new Error(`read answered ${JSON.stringify(read)}`);
    await provider.delete(created.id, created.outs);
    if (sim.service("svm1") !== undefined) throw new Error("delete left the service on svm1");
    if (warnings.length > 0) throw new Error(`the provider warned: ${warnings.join("; ")}`);
  } finally {
    await sim.stop();
  }
  process.stdout.write(`node-boundary (node ${process.version}, @pulumi/pulumi ${pulumiVersion}): ok\n`);
}

const USAGE = "usage: node dist/tools/ci/node-boundary.js <app dir with node_modules/pulumi-ontap-iscsi>";

/** The one argument, the app's directory. */
function parse(argv: string[]): CommandLine<string> {
  const { values, positionals } = parseFlags(
    argv,
    { help: { type: "boolean", short: "h" } },
    { positionals: true },
  );
  if (values.help) return { help: true };
  if (positionals.length !== 1)
    throw new Error(`expected one app directory, got ${positionals.length} arguments`);
  return { help: false, options: positionals[0] };
}

const line = readCommandLine(process.argv.slice(2), parse, USAGE);
if ("exitCode" in line) process.exit(line.exitCode);
main(line.options).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `node-boundary (node ${process.version}): FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
