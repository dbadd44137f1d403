/**
 * The plugin's entry point, `pulumi-resource-ontap` (bin/pulumi-resource-ontap runs it with
 * node): serves the provider on a loopback port and prints that port on stdout, which is how
 * the engine learns where to dial (the plugin handshake). The first argument is the
 * engine's address, for the log.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PluginServer } from "./server";

/** The package's version: the plugin's version, and the schema's. */
export function packageVersion(): string {
  const file = path.join(__dirname, "..", "..", "..", "package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

async function serve(): Promise<void> {
  const engineAddress = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
  const server = new PluginServer(packageVersion(), engineAddress);
  const port = await server.start();
  process.stdout.write(`${port}\n`);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      server.stop();
      process.exit(0);
    });
}

/** Serves until the engine stops the process. */
export function run(): void {
  serve().catch((err: unknown) => {
    process.stderr.write(`pulumi-resource-ontap: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
